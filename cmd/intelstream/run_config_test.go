package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// TestRunConfigQuickstart runs examples/config/quickstart.yaml on the
// embedded broker: the same 60 events as the Go quickstart.
func TestRunConfigQuickstart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	logFile := filepath.Join(t.TempDir(), "run.log")
	t.Chdir(filepath.Join("..", "..")) // the file's paths are relative to the repository
	file := filepath.Join("examples", "config", "quickstart.yaml")
	_, stderr, err := run(t, "", "run", "-c", file, "--set", "output.path="+out, "--until-idle", "1s",
		"--log-level", "info", "--log-format", "json", "--log-output", "file:"+logFile)
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("logged to stderr: %s", stderr)
	}
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), `"level":"INFO","msg":"embedded broker and registry started`) {
		t.Errorf("log file:\n%s", logs)
	}
	for _, bad := range [][]string{{"--log-format", "xml"}, {"--log-output", "kafka"}} {
		if _, _, err := run(t, "", append([]string{"run", "-c", file}, bad...)...); err == nil || !strings.Contains(err.Error(), bad[1]) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		e, err := dho.ParseEvent([]byte(l))
		if err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		if e.Classification.Taxonomy == "" || e.Feed.Name != "Shadowserver quickstart" {
			t.Fatalf("incomplete event %s", l)
		}
		distinct[string(e.Raw)] = true
	}
	if len(distinct) != 60 {
		t.Fatalf("%d distinct events, want 60", len(distinct))
	}
}

func TestDescribeConfig(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	file := filepath.Join("examples", "config", "quickstart.yaml")
	out, _, err := run(t, "", "describe", "-c", file)
	if err != nil || !strings.HasPrefix(out, "flowchart LR") || !strings.Contains(out, "quickstart.taxonomy") {
		t.Fatalf("describe -c: %q, %v", out, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"describe", "-c", file, "--set", "output.format=xml"}, "quickstart.yaml:"},
		{[]string{"describe", "-c", file, "--set", "format=dho"}, "want NODE.PARAM=VALUE"},
		{[]string{"describe", "-c", file, "quickstart"}, "not both"},
		{[]string{"describe", "-c", "nope.yaml"}, "nope.yaml"},
		{[]string{"run"}, "give a topology name"},
	} {
		if _, _, err := run(t, "", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// TestRunRefusesBadFlags: bad settings are refused before anything starts.
func TestRunRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shutdown-timeout", "-1s"}, "--shutdown-timeout -1s: want 0 or more"},
		{[]string{"--log-level", "loud"}, `--log-level "loud": want debug, info, warn or error`},
	} {
		_, _, err := run(t, "", append([]string{"run", "quickstart"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
