package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDescribeQuickstart(t *testing.T) {
	out, _, err := run(t, "", "describe")
	if err != nil || !strings.Contains(out, "quickstart") {
		t.Fatalf("describe: %q, %v", out, err)
	}
	out, _, err = run(t, "", "describe", "quickstart")
	if err != nil || !strings.HasPrefix(out, "flowchart LR") || !strings.Contains(out, "quickstart.parse") {
		t.Fatalf("describe quickstart: %q, %v", out, err)
	}
	for _, f := range []string{"dot", "json"} {
		if out, _, err := run(t, "", "describe", "quickstart", "--format", f); err != nil || !strings.Contains(out, "taxonomy") {
			t.Fatalf("describe --format %s: %q, %v", f, out, err)
		}
	}
	if _, _, err := run(t, "", "describe", "nope"); err == nil {
		t.Error("unknown topology accepted")
	}
	if _, _, err := run(t, "", "describe", "quickstart", "--set", "colour=red"); err == nil {
		t.Error("unknown parameter accepted")
	}
}

func TestRunQuickstartOnTheEmbeddedBroker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	_, _, err := run(t, "", "run", "quickstart", "--set", "output="+path, "--set", "format=dho", "--until-idle", "1s", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n < 60 {
		t.Fatalf("%d events, want at least 60", n)
	}
	if _, _, err := run(t, "", "run", "quickstart", "--node", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown node: %v", err)
	}
	if _, _, err := run(t, "", "dlq", "list", "quickstart.parse.dlq"); err == nil {
		t.Error("dlq without brokers accepted")
	}
}
