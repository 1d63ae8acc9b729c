package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/topology"
)

var nodesDoc = filepath.Join("..", "..", "docs", "nodes.md")

// TestNodeReferenceUpToDate fails when docs/nodes.md no longer says what
// the registered node kinds are.
func TestNodeReferenceUpToDate(t *testing.T) {
	out, _, err := run(t, "", "nodes", "--markdown")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(nodesDoc, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(nodesDoc)
	if err != nil {
		t.Fatalf("%v; create it with: go test ./cmd/intelstream -run TestNodeReference -update", err)
	}
	if !bytes.Equal(got, []byte(out)) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(out, "\n")
		i := 0
		for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
			i++
		}
		line := func(l []string) string {
			if i < len(l) {
				return l[i]
			}
			return "(end of file)"
		}
		t.Fatalf("docs/nodes.md is out of date with the node specs; refresh it with:\n"+
			"\tgo test ./cmd/intelstream -run TestNodeReference -update\nfirst difference, line %d:\n\tfile:      %s\n\tgenerated: %s", i+1, line(gl), line(wl))
	}
}

func TestNodeReferenceCoversEverySpec(t *testing.T) {
	doc := string(nodeReference(topology.Registered()))
	for _, s := range topology.Registered() {
		if !strings.Contains(doc, "\n### "+s.Name+"\n\n"+s.Doc+"\n") {
			t.Errorf("no section for %s", s.Name)
		}
		if s.IntelMQ != "" && !strings.Contains(doc, "- replaces IntelMQ's `"+s.IntelMQ+"`") {
			t.Errorf("%s: no IntelMQ module", s.Name)
		}
		for _, p := range s.Params {
			if !strings.Contains(doc, "| `"+p.Name+"` | "+string(p.Type)+" | ") {
				t.Errorf("%s: no row for parameter %s", s.Name, p.Name)
			}
		}
	}
}

func TestNodeReferenceCells(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, "-"},
		{"", `""`},
		{"a|b", "`a\\|b`"},
		{int64(5), "`5`"},
		{[]string{"x", "y"}, "`[\"x\",\"y\"]`"},
		{true, "`true`"},
	} {
		if got := mdDefault(c.in); got != c.want {
			t.Errorf("mdDefault(%#v) = %s, want %s", c.in, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"One. Two.":                      "One.",
		"Removes a prefix, e.g. x. Then": "Removes a prefix, e.g. x.",
		"No stop":                        "No stop",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
