package keyvalue

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{
		"no keys given":     {},
		"which is no field": {"keys": map[string]any{"a": "source.nothing"}},
		"keys":              {"keys": map[string]any{"a": 1.0}},
		"strip_quotes":      {"keys": map[string]any{"a": "source.ip"}, "strip_quotes": "maybe"},
	})
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	p, err := New(Config{Keys: map[string]string{"a": "source.ip", "t": "time.source", "x": "extra.x", "p": "source.port"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, p) })
}
