package json

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata (NAME.params.json, the input
// NAME.*) and compares with NAME.golden.jsonl byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{
		"exclude each other": {"splitlines": true, "multiple_events": true},
		"splitlines":         {"splitlines": "sometimes"},
		"unknown parameter":  {"split_lines": true},
	})
}
