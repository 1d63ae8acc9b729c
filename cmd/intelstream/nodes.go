package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	_ "github.com/intelstream/intelstream/processors/all" // register every node kind
	"github.com/intelstream/intelstream/topology"
)

func newNodesCmd() *cobra.Command {
	var asJSON, asMarkdown bool
	cmd := &cobra.Command{
		Use:   "nodes",
		Short: "List the node kinds (collectors, parsers, experts, outputs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs := topology.Registered()
			if asMarkdown {
				_, err := cmd.OutOrStdout().Write(nodeReference(specs))
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), specs)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NODE\tKIND\tINTELMQ MODULE\tDESCRIPTION")
			for _, s := range specs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Kind, orDash(s.IntelMQ), s.Doc)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the specs as JSON")
	cmd.Flags().BoolVar(&asMarkdown, "markdown", false, "print the Markdown reference of every node kind (docs/nodes.md)")
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one node kind: parameters and the fields it requires and produces",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, ok := topology.Lookup(args[0])
			if !ok {
				return fmt.Errorf("no node kind %q (see intelstream nodes)", args[0])
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), r.Spec)
			}
			return writeSpec(cmd.OutOrStdout(), r.Spec)
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print the spec as JSON")
	cmd.AddCommand(show, newNodesTestCmd())
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeSpec(w io.Writer, s topology.Spec) error {
	fmt.Fprintf(w, "%s (%s)\n\n%s\n\n", s.Name, s.Kind, s.Doc)
	if s.IntelMQ != "" {
		fmt.Fprintf(w, "Replaces IntelMQ's %s.\n\n", s.IntelMQ)
	}
	fmt.Fprintf(w, "Requires: %s\nProduces: %s\n\n", orDash(strings.Join(s.Requires, ", ")), orDash(strings.Join(s.Produces, ", ")))
	if len(s.Params) == 0 {
		fmt.Fprintln(w, "No parameters.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARAMETER\tTYPE\tDEFAULT\tREQUIRED\tRUNTIME\tDESCRIPTION")
	for _, p := range s.Params {
		def := "-"
		if p.Default != nil {
			def = fmt.Sprint(p.Default)
		}
		req, run := "-", "-"
		if p.Required {
			req = "yes"
		}
		if p.Runtime {
			run = "yes"
		}
		doc := p.Doc
		if len(p.Enum) > 0 {
			doc += " (one of " + strings.Join(p.Enum, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Type, def, req, run, doc)
	}
	return tw.Flush()
}

// nodeKinds is the order of the reference's sections.
var nodeKinds = []topology.Kind{topology.KindCollector, topology.KindParser, topology.KindExpert, topology.KindOutput, topology.KindTable}

// nodeReference writes the Markdown reference of the node kinds
// (docs/nodes.md): an index by kind, then one section per kind with its
// parameters and fields.
func nodeReference(specs []topology.Spec) []byte {
	var b bytes.Buffer
	b.WriteString("# Node reference\n\n")
	b.WriteString("Every node kind that ships with intelstream, generated from the node specs by\n" +
		"`intelstream nodes --markdown` (a test fails when this file is stale; refresh it\n" +
		"with `go test ./cmd/intelstream -run TestNodeReference -update`). A topology file\n" +
		"names a node by its kind or by the IntelMQ module it replaces; parameters may\n" +
		"carry IntelMQ's names in `intelstream import-intelmq`.\n\n")
	byKind := map[topology.Kind][]topology.Spec{}
	for _, s := range specs {
		byKind[s.Kind] = append(byKind[s.Kind], s)
	}
	kinds := slices.Clone(nodeKinds)
	for k := range byKind {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		if len(byKind[k]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "## %s (%d)\n\n| node | IntelMQ module | what it does |\n| --- | --- | --- |\n", kindTitle(k), len(byKind[k]))
		for _, s := range byKind[k] {
			fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", s.Name, anchor(s.Name), mdCode(s.IntelMQ), mdCell(firstSentence(s.Doc)))
		}
		b.WriteString("\n")
	}
	for _, k := range kinds {
		for _, s := range byKind[k] {
			writeSpecMarkdown(&b, s)
		}
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n')
}

func writeSpecMarkdown(b *bytes.Buffer, s topology.Spec) {
	fmt.Fprintf(b, "### %s\n\n%s\n\n", s.Name, s.Doc)
	fmt.Fprintf(b, "- kind: %s\n", s.Kind)
	if s.IntelMQ != "" {
		fmt.Fprintf(b, "- replaces IntelMQ's `%s`\n", s.IntelMQ)
	}
	fmt.Fprintf(b, "- requires: %s\n- produces: %s\n\n", fieldList(s.Requires), fieldList(s.Produces))
	switch {
	case s.ParamsByFactory:
		b.WriteString("Parameters: as the parser's package documentation names them (IntelMQ's names); the node checks them when it is built.\n\n")
	case len(s.Params) == 0:
		b.WriteString("No parameters.\n\n")
	default:
		b.WriteString("| parameter | type | default | required | runtime | IntelMQ name | description |\n| --- | --- | --- | --- | --- | --- | --- |\n")
		for _, p := range s.Params {
			doc := p.Doc
			if len(p.Enum) > 0 {
				doc += " One of: " + strings.Join(p.Enum, ", ") + "."
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", p.Name, p.Type, mdDefault(p.Default),
				yesOrDash(p.Required), yesOrDash(p.Runtime), mdCode(p.IntelMQ), mdCell(doc))
		}
		b.WriteString("\n")
	}
	writeExamples(b, s.Examples)
}

// writeExamples writes a kind's built-in examples as JSON blocks
// (intelstream nodes test runs them).
func writeExamples(b *bytes.Buffer, examples []topology.Example) {
	if len(examples) == 0 {
		return
	}
	b.WriteString("Examples (`intelstream nodes test` runs them):\n\n")
	for _, ex := range examples {
		data, _ := json.MarshalIndent(ex, "", "  ")
		fmt.Fprintf(b, "- %s\n\n  ```json\n  %s\n  ```\n\n", ex.Name, strings.ReplaceAll(string(data), "\n", "\n  "))
	}
}

func kindTitle(k topology.Kind) string {
	s := string(k)
	if s == "" {
		return "Other"
	}
	return strings.ToUpper(s[:1]) + s[1:] + "s"
}

// anchor is GitHub's heading anchor of a node name.
func anchor(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func firstSentence(doc string) string {
	for i := 0; ; {
		j := strings.Index(doc[i:], ". ")
		if j < 0 {
			return doc
		}
		i += j
		if !strings.HasSuffix(doc[:i], "e.g") && !strings.HasSuffix(doc[:i], "i.e") {
			return doc[:i+1]
		}
		i += 2
	}
}

func fieldList(fields []string) string {
	if len(fields) == 0 {
		return "-"
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = "`" + f + "`"
	}
	return strings.Join(out, ", ")
}

func mdCode(s string) string {
	if s == "" {
		return "-"
	}
	return "`" + s + "`"
}

func mdDefault(v any) string {
	if v == nil {
		return "-"
	}
	var s string
	switch d := v.(type) {
	case string:
		if d == "" {
			return `""`
		}
		s = d
	case fmt.Stringer:
		s = d.String()
	default:
		data, err := json.Marshal(v)
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(data)
		}
	}
	return "`" + strings.ReplaceAll(s, "|", "\\|") + "`"
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func yesOrDash(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
