package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/schemas/jsonschema"
	"github.com/intelstream/intelstream/transformers/idea"
)

// TestIDEAExport runs the example as go run does and checks its output:
// every bundled n6 event comes out as an IDEA message valid by IDEA's
// schema.
func TestIDEAExport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "idea.jsonl")
	if err := run(out, false, time.Second); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("../../transformers/idea/testdata/idea0.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	// At least once allows repeats, so count distinct messages.
	ids := map[string]bool{}
	cats := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if err := jsonschema.Validate(schema, []byte(l)); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		m, err := idea.Decode([]byte(l))
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		// The n6 source (feed.code) has a hyphen, which IDEA's node names
		// cannot hold: only the feed's name makes it into Node.
		if len(m.Node) != 1 || m.Node[0].Name != "" || m.Node[0].Note != "n6 export sample" {
			t.Errorf("Node %+v", m.Node)
		}
		ids[m.ID] = true
		cats[m.Category[0]] = true
	}
	if len(ids) != 10 {
		t.Fatalf("%d distinct messages, want 10:\n%s", len(ids), data)
	}
	for _, c := range []string{"Intrusion.Botnet", "Information.UnauthorizedModification", "Vulnerable.Open", "Fraud.Masquerade", "Recon.Scanning"} {
		if !cats[c] {
			t.Errorf("no %s message (categories %v)", c, cats)
		}
	}
}
