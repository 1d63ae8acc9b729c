package shodan

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata (NAME.params.json, the input
// NAME.json) and compares with NAME.golden.jsonl byte for byte. Banners
// that cannot be parsed are "# failed" lines there.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{
		"minimal_mode":      {"minimal_mode": "sometimes"},
		"ignore_errors":     {"ignore_errors": 3.0},
		"unknown parameter": {"minimal": true},
	})
}

// FuzzParse feeds arbitrary reports to both modes: no panic, and every
// event survives IntelMQ's flat form both ways.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	full, minimal := New(Config{}), New(Config{Minimal: true})
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, full, minimal) })
}
