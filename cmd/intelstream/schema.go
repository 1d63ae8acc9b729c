package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/schemas/jsonschema"
	"github.com/intelstream/intelstream/schemas/markdown"
)

// registryFlags are the flags that reach a schema registry.
type registryFlags struct {
	url, user, password, token string
	ca, cert, key              string
	insecure                   bool
	topic, record, strategy    string
}

func (f *registryFlags) add(cmd *cobra.Command) {
	p := cmd.PersistentFlags()
	p.StringVar(&f.url, "registry", os.Getenv("INTELSTREAM_REGISTRY"), "schema registry URL(s), comma separated ($INTELSTREAM_REGISTRY)")
	p.StringVar(&f.user, "registry-user", os.Getenv("INTELSTREAM_REGISTRY_USER"), "basic auth user ($INTELSTREAM_REGISTRY_USER)")
	p.StringVar(&f.password, "registry-password", os.Getenv("INTELSTREAM_REGISTRY_PASSWORD"), "basic auth password ($INTELSTREAM_REGISTRY_PASSWORD)")
	p.StringVar(&f.token, "registry-token", os.Getenv("INTELSTREAM_REGISTRY_TOKEN"), "bearer token ($INTELSTREAM_REGISTRY_TOKEN)")
	p.StringVar(&f.ca, "registry-ca", "", "PEM file of the CA(s) to trust for an https registry")
	p.StringVar(&f.cert, "registry-cert", "", "PEM client certificate for an https registry")
	p.StringVar(&f.key, "registry-key", "", "PEM client key for an https registry")
	p.BoolVar(&f.insecure, "registry-insecure", false, "do not verify the registry's TLS certificate (tests only)")
	p.StringVar(&f.topic, "topic", "", "topic whose schema subject to use (topic and topic-record strategies)")
	p.StringVar(&f.record, "record", "event", "DHO record: event, report or digest")
	p.StringVar(&f.strategy, "strategy", "topic", "subject naming strategy: topic, record or topic-record")
}

func (f *registryFlags) registry() (*schemas.Registry, error) {
	if f.url == "" {
		return nil, errors.New("no schema registry: give --registry URL or set INTELSTREAM_REGISTRY")
	}
	var opts []schemas.RegistryOption
	if f.user != "" {
		opts = append(opts, schemas.BasicAuth(f.user, f.password))
	}
	if f.token != "" {
		opts = append(opts, schemas.BearerToken(f.token))
	}
	if f.ca != "" || f.cert != "" || f.key != "" || f.insecure {
		opts = append(opts, schemas.TLSFiles(f.ca, f.cert, f.key, f.insecure))
	}
	return schemas.NewRegistry(strings.Split(f.url, ","), opts...)
}

// subject returns the record and the subject the flags name.
func (f *registryFlags) subject() (schemas.Record, string, error) {
	rec, err := schemas.ParseRecord(f.record)
	if err != nil {
		return "", "", err
	}
	strategy, err := schemas.ParseSubjectStrategy(f.strategy)
	if err != nil {
		return "", "", err
	}
	subject, err := strategy.Subject(f.topic, rec)
	if err != nil {
		return "", "", fmt.Errorf("%w (give --topic, or --strategy record)", err)
	}
	return rec, subject, nil
}

func newSchemaCmd() *cobra.Command {
	var rf registryFlags
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Govern DHO's Avro schemas in a schema registry",
		Long: `Register, check, compare, list, fetch and export the DHO schemas.

Compatibility is always checked locally (with Avro schema resolution) before
anything is registered, so a registry that answers every check with
"compatible" cannot let a breaking change through.`,
	}
	rf.add(cmd)
	cmd.AddCommand(
		newSchemaRegisterCmd(&rf), newSchemaCheckCmd(&rf), newSchemaDiffCmd(&rf),
		newSchemaListCmd(&rf), newSchemaGetCmd(&rf), newSchemaExportCmd(&rf),
	)
	return cmd
}

func newSchemaRegisterCmd(rf *registryFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "register",
		Short: "Register the current schema of a record (after a local compatibility check)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := rf.registry()
			if err != nil {
				return err
			}
			rec, subject, err := rf.subject()
			if err != nil {
				return err
			}
			schema, err := schemas.Avro(rec, "")
			if err != nil {
				return err
			}
			id, err := reg.Register(cmd.Context(), subject, schema)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: DHO %s %s registered, schema id %d\n", subject, dho.Version, rec, id)
			return nil
		},
	}
}

func newSchemaCheckCmd(rf *registryFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Compare the current schema with the registry's and check compatibility",
		Long: `Compare the current schema of a record with the latest version of its subject.
Exits 0 when the registry has it or it may be registered as the next version at
the subject's compatibility level, and 1 naming the offending field otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := rf.registry()
			if err != nil {
				return err
			}
			rec, subject, err := rf.subject()
			if err != nil {
				return err
			}
			schema, _ := schemas.Avro(rec, "")
			return checkSubject(cmd.Context(), cmd.OutOrStdout(), reg, subject, schema)
		},
	}
}

func checkSubject(ctx context.Context, out io.Writer, reg *schemas.Registry, subject, schema string) error {
	versions, err := reg.Versions(ctx, subject)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		fmt.Fprintf(out, "%s: not registered; `intelstream schema register` would create it\n", subject)
		return nil
	}
	latest := versions[len(versions)-1]
	mine, err := schemas.Fingerprint(schema)
	if err != nil {
		return err
	}
	theirs, err := schemas.Fingerprint(latest.Schema)
	if err != nil {
		return fmt.Errorf("%s version %d: %w", subject, latest.Version, err)
	}
	if mine == theirs {
		fmt.Fprintf(out, "%s: up to date (version %d, schema id %d)\n", subject, latest.Version, latest.ID)
		return nil
	}
	level, err := reg.Level(ctx, subject)
	if err != nil {
		return err
	}
	earlier := make([]string, len(versions))
	for i, v := range versions {
		earlier[i] = v.Schema
	}
	if err := schemas.Check(level, schema, earlier); err != nil {
		changes, _ := schemas.Diff(latest.Schema, schema)
		for _, c := range changes {
			fmt.Fprintln(out, c)
		}
		return fmt.Errorf("%s: %w", subject, err)
	}
	fmt.Fprintf(out, "%s: differs from version %d and is %s compatible; register would add version %d\n",
		subject, latest.Version, level, latest.Version+1)
	return nil
}

func newSchemaDiffCmd(rf *registryFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "diff A B",
		Short: "Show two schemas' differences field by field",
		Long: `Show the differences between two schemas, field by field (+ added, - removed,
~ changed). Each of A and B is a DHO version (1.0, 2.0, current), a .avsc file,
SUBJECT@VERSION or SUBJECT@latest from the registry, or id:N from the registry.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var texts [2]string
			for i, a := range args {
				s, err := resolveSchemaArg(cmd.Context(), rf, a)
				if err != nil {
					return err
				}
				texts[i] = s
			}
			changes, err := schemas.Diff(texts[0], texts[1])
			if err != nil {
				return err
			}
			if len(changes) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no field differs")
			}
			for _, c := range changes {
				fmt.Fprintln(cmd.OutOrStdout(), c)
			}
			return nil
		},
	}
}

// resolveSchemaArg turns a diff argument into schema text.
func resolveSchemaArg(ctx context.Context, rf *registryFlags, arg string) (string, error) {
	rec, err := schemas.ParseRecord(rf.record)
	if err != nil {
		return "", err
	}
	switch {
	case arg == "current":
		return schemas.Avro(rec, "")
	case isVersion(arg):
		return schemas.Avro(rec, arg)
	case strings.HasPrefix(arg, "id:"):
		id, err := strconv.Atoi(strings.TrimPrefix(arg, "id:"))
		if err != nil {
			return "", fmt.Errorf("%q: want id:NUMBER", arg)
		}
		reg, err := rf.registry()
		if err != nil {
			return "", err
		}
		return reg.SchemaByID(ctx, id)
	case strings.Contains(arg, "@"):
		subject, ver, _ := strings.Cut(arg, "@")
		version := -1
		if ver != "latest" {
			if version, err = strconv.Atoi(ver); err != nil {
				return "", fmt.Errorf("%q: want SUBJECT@VERSION or SUBJECT@latest", arg)
			}
		}
		reg, err := rf.registry()
		if err != nil {
			return "", err
		}
		v, err := reg.Get(ctx, subject, version)
		return v.Schema, err
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", fmt.Errorf("%q is no DHO version (%s), registry reference or readable file: %w", arg, strings.Join(dho.Versions, ", "), err)
	}
	return string(b), nil
}

func isVersion(s string) bool {
	for _, v := range dho.Versions {
		if s == v {
			return true
		}
	}
	return false
}

func newSchemaListCmd(rf *registryFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the registry's subjects with their versions and schema ids",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := rf.registry()
			if err != nil {
				return err
			}
			subjects, err := reg.Subjects(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SUBJECT\tVERSION\tID\tLEVEL")
			for _, s := range subjects {
				versions, err := reg.Versions(cmd.Context(), s)
				if err != nil {
					return err
				}
				level, err := reg.Level(cmd.Context(), s)
				if err != nil {
					return err
				}
				for _, v := range versions {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", s, v.Version, v.ID, level)
				}
			}
			return tw.Flush()
		},
	}
}

func newSchemaGetCmd(rf *registryFlags) *cobra.Command {
	var id int
	cmd := &cobra.Command{
		Use:   "get [SUBJECT [VERSION]]",
		Short: "Print a schema from the registry (by subject and version, or --id)",
		Args:  cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := rf.registry()
			if err != nil {
				return err
			}
			var text string
			switch {
			case id > 0:
				text, err = reg.SchemaByID(cmd.Context(), id)
			case len(args) == 0:
				return errors.New("give a SUBJECT (and VERSION) or --id")
			default:
				version := -1
				if len(args) == 2 && args[1] != "latest" {
					if version, err = strconv.Atoi(args[1]); err != nil {
						return fmt.Errorf("version %q: want a number or latest", args[1])
					}
				}
				var v schemas.Version
				v, err = reg.Get(cmd.Context(), args[0], version)
				text = v.Schema
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), strings.TrimRight(text, "\n"))
			return nil
		},
	}
	cmd.Flags().IntVar(&id, "id", 0, "schema id")
	return cmd
}

func newSchemaExportCmd(rf *registryFlags) *cobra.Command {
	var format, version string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the machine-readable spec: Avro, JSON Schema or the Markdown field reference",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rec, err := schemas.ParseRecord(rf.record)
			if err != nil {
				return err
			}
			var out []byte
			switch format {
			case "avro":
				s, err := schemas.Avro(rec, version)
				if err != nil {
					return err
				}
				out = []byte(s)
			case "jsonschema":
				if version != "" && version != dho.Version {
					return fmt.Errorf("the JSON Schema exists for the current DHO version (%s) only", dho.Version)
				}
				switch rec {
				case schemas.ReportRecord:
					out = jsonschema.Report()
				case schemas.DigestRecord:
					return errors.New("digests have an Avro schema only (--format avro); their events follow the event JSON Schema")
				default:
					out = jsonschema.Event()
				}
			case "markdown":
				out = markdown.FieldReference()
			default:
				return fmt.Errorf("--format %q: want avro, jsonschema or markdown", format)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "avro", "avro, jsonschema or markdown")
	cmd.Flags().StringVar(&version, "version", "", "DHO version (avro only; default the current one)")
	return cmd
}
