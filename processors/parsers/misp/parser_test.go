package misp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// misp parses input as a report of the MISP instance at
// https://misp.example.org/ (the events link to it).
func report(t testing.TB, input []byte) *dho.Report {
	r := parsertest.Report(t, input)
	if err := r.Set("feed.url", "https://misp.example.org/"); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGolden parses our fixture testdata/event.json and compares with
// event.golden.jsonl byte for byte.
func TestGolden(t *testing.T) {
	input, err := os.ReadFile(filepath.Join("testdata", "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsers.New(Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	parsertest.Check(t, filepath.Join("testdata", "event.golden.jsonl"), parsertest.Run(t, p, report(t, input)))
}

// TestNoFeedURL: without feed.url there is no link to the MISP event, and
// IntelMQ fails the report.
func TestNoFeedURL(t *testing.T) {
	out := parsertest.Run(t, Parser{}, parsertest.Report(t, []byte(`{"id": "1", "uuid": "x", "Attribute": []}`)))
	if want := "# failed: the report has no feed.url, which the link to the MISP event is made from\n"; string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{"unknown parameter": {"misp_url": "x"}})
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := report(t, raw)
		parsertest.Fuzz(t, raw, Parser{})
		_ = parsertest.Run(t, Parser{}, r)
	})
}
