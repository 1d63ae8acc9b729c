package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
)

// TestQuickstart runs the example as go run does and checks its output.
func TestQuickstart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "events.jsonl")
	if err := run(out, "intelmq", time.Second); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	// 40 scan_http rows and 20 event4_sinkhole_http rows; at least once
	// allows repeats, so count distinct events.
	distinct := map[string]bool{}
	for _, l := range lines {
		e, err := dho.ParseEvent([]byte(l))
		if err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		if e.Classification.Taxonomy == "" || len(e.Source.IP)+len(e.Destination.IP) == 0 || e.Feed.Name == "" {
			t.Fatalf("incomplete event %s", l)
		}
		distinct[string(e.Raw)] = true
	}
	if len(distinct) != 60 {
		t.Fatalf("%d distinct events, want 60", len(distinct))
	}
}
