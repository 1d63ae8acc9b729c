package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/intelstream/intelstream/topology"
)

// binary is where the Dockerfile puts the command.
const binary = "/usr/local/bin/intelstream"

// TestComposeFile checks docker-compose.kafka.yml without a Docker
// engine: it must load as valid Compose, every intelstream service's
// command and health check must parse against the real command tree (known
// subcommand, known flags with valid values, a defined topology and node),
// every INTELSTREAM_* variable must be one a flag of that command reads,
// and the health check must ask the node's own --api-addr for /readyz.
func TestComposeFile(t *testing.T) {
	root := filepath.Join("..", "..")
	file := filepath.Join(root, "docker-compose.kafka.yml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: file, Content: data}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("intelstream", true) })
	if err != nil {
		t.Fatalf("not valid Compose: %v", err)
	}
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	checkDockerfile(t, string(dockerfile))
	for _, want := range []string{"kafka", "schema-registry"} {
		if _, ok := project.Services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
	if img := project.Services["kafka"].Image; !strings.HasPrefix(img, "apache/kafka:") {
		t.Errorf("kafka image %q, want apache/kafka", img)
	}
	if roles := project.Services["kafka"].Environment["KAFKA_PROCESS_ROLES"]; roles == nil || !strings.Contains(*roles, "controller") {
		t.Errorf("kafka does not run in KRaft mode (KAFKA_PROCESS_ROLES %v)", roles)
	}

	nodes := map[string]bool{}
	for name, svc := range project.Services {
		if svc.Build == nil {
			continue // kafka, schema-registry
		}
		t.Run(name, func(t *testing.T) {
			cmd, flags := parseArgs(t, svc.Command)
			if cmd.Name() != "run" {
				t.Fatalf("command %v is not intelstream run", svc.Command)
			}
			// The topology and node must exist.
			args := cmd.Flags().Args()
			if len(args) != 1 {
				t.Fatalf("run wants one topology, got %v", args)
			}
			var def *topology.Definition
			for _, d := range topology.Defined() {
				if d.Name == args[0] {
					def = &d
				}
			}
			if def == nil {
				t.Fatalf("topology %q is not defined", args[0])
			}
			top, err := def.Build(nil)
			if err != nil {
				t.Fatal(err)
			}
			onlyNodes, _ := cmd.Flags().GetStringArray("node")
			if len(onlyNodes) != 1 {
				t.Fatalf("one container per node: --node %v", onlyNodes)
			}
			known := false
			for _, n := range top.Describe().Nodes {
				known = known || n.Name == onlyNodes[0]
			}
			if !known {
				t.Fatalf("topology %s has no node %s", args[0], onlyNodes[0])
			}
			nodes[onlyNodes[0]] = true

			// Environment: only variables the command's flags read.
			for key, v := range svc.Environment {
				if !strings.HasPrefix(key, "INTELSTREAM_") {
					continue
				}
				if v == nil || *v == "" {
					t.Errorf("%s is empty", key)
				}
				read := false
				cmd.Flags().VisitAll(func(f *pflag.Flag) { read = read || strings.Contains(f.Usage, "$"+key) })
				if !read {
					t.Errorf("no flag of %q reads %s", cmd.CommandPath(), key)
				}
			}
			if svc.Environment["INTELSTREAM_BROKERS"] == nil && !slices.Contains(flags, "brokers") {
				t.Error("no brokers: the node would start an embedded broker of its own")
			}

			// Health check: intelstream check ready against this node's API.
			hc := svc.HealthCheck
			if hc == nil || len(hc.Test) < 2 || hc.Test[0] != "CMD" || hc.Test[1] != binary {
				t.Fatalf("health check %v: want [CMD %s check ready ...]", hc, binary)
			}
			check, _ := parseArgs(t, hc.Test[2:])
			if check.CommandPath() != "intelstream check ready" {
				t.Fatalf("health check runs %q", check.CommandPath())
			}
			apiAddr, err := cmd.Flags().GetString("api-addr")
			if err != nil || apiAddr == "" {
				t.Fatalf("the node serves no API (--api-addr): %v", err)
			}
			checkURL, _ := check.Flags().GetString("url")
			u, err := url.Parse(checkURL)
			if err != nil {
				t.Fatal(err)
			}
			if _, port, _ := strings.Cut(apiAddr, ":"); u.Port() != port || u.Path != "/readyz" {
				t.Fatalf("health check %s does not ask the node's --api-addr %s for /readyz", checkURL, apiAddr)
			}
		})
	}
	for _, def := range topology.Defined() {
		if def.Name != "quickstart" {
			continue
		}
		top, err := def.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range top.Describe().Nodes {
			if !nodes[n.Name] {
				t.Errorf("no container runs quickstart's node %s", n.Name)
			}
		}
	}
}

// parseArgs finds the subcommand of args in a fresh command tree and parses
// its flags (values checked by their types), returning the command and the
// names of the flags set. Unknown subcommands and flags fail the test.
func parseArgs(t *testing.T, args []string) (*cobra.Command, []string) {
	t.Helper()
	root := newRootCmd()
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if cmd.Args != nil {
		if err := cmd.Args(cmd, cmd.Flags().Args()); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	var set []string
	cmd.Flags().Visit(func(f *pflag.Flag) { set = append(set, f.Name) })
	// A subcommand name left in the positional arguments means a typo.
	for _, a := range cmd.Flags().Args() {
		if regexp.MustCompile(`^[a-z]+$`).MatchString(a) && cmd.HasSubCommands() {
			t.Fatalf("%v: unknown subcommand %q of %s", args, a, cmd.CommandPath())
		}
	}
	return cmd, set
}

// checkDockerfile checks what the image promises: a multi-stage build of a
// static binary (no cgo), a non-root user in the final stage, and the
// command as entrypoint at the path the health checks use.
func checkDockerfile(t *testing.T, text string) {
	t.Helper()
	var stages int
	var user string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			stages++
			user = "" // USER applies to the stage it is in
		case "USER":
			if len(f) > 1 {
				user = f[1]
			}
		}
	}
	if stages < 2 {
		t.Errorf("the Dockerfile has %d stage(s): build and run stages expected", stages)
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") || strings.HasPrefix(user, "root:") {
		t.Errorf("the final stage runs as %q: want a non-root user", user)
	}
	if !strings.Contains(text, "CGO_ENABLED=0") {
		t.Error("the binary is not built with CGO_ENABLED=0")
	}
	if !strings.Contains(text, `ENTRYPOINT ["`+binary+`"]`) {
		t.Errorf("the Dockerfile's entrypoint is not %s", binary)
	}
}
