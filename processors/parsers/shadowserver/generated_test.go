package shadowserver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// TestEveryGeneratedReportType parses, for every report type of
// Shadowserver's report list, a file made by gen_shadowserver.py
// --reports-json, and expects one event per row, no failures, and events
// that survive IntelMQ's flat form both ways.
func TestEveryGeneratedReportType(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator once per report type")
	}
	generator(t)
	list := filepath.Join(sharedDir(t), "reference", "shadowserver-reports.json")
	b, err := os.ReadFile(list)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	var reports map[string]json.RawMessage
	if err := json.Unmarshal(b, &reports); err != nil {
		t.Fatal(err)
	}
	types := slices.Sorted(func(yield func(string) bool) {
		for k := range reports {
			if !yield(k) {
				return
			}
		}
	})
	if len(types) < 170 {
		t.Fatalf("%d report types in %s", len(types), list)
	}
	p, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 20
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			raw := generate(t, typ, rows, "--reports-json", list)
			evs, fails, err := parseAll(t, p, report(t, "2024-05-01-"+typ+"-world-geo.csv", raw))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fails {
				t.Errorf("failure: %v", f)
			}
			if len(evs) != rows {
				t.Fatalf("%d events, want %d", len(evs), rows)
			}
			for _, ev := range evs {
				flat := ev.MarshalFlat(dho.FlatOptions{})
				var back dho.Event
				if err := back.UnmarshalFlat(string(flat)); err != nil {
					t.Fatalf("event does not decode: %v\n%s", err, flat)
				}
				if again := back.MarshalFlat(dho.FlatOptions{}); string(again) != string(flat) {
					t.Fatalf("event changes on a round trip:\n%s\n%s", flat, again)
				}
				if ev.Feed.Name == "" || ev.Time.Source == nil || ev.Classification.Type == "" {
					t.Fatalf("event lacks feed.name, time.source or classification.type: %s", flat)
				}
			}
		})
	}
}
