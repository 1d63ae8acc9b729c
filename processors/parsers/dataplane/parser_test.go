package dataplane

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{"unknown parameter": {"feed": "x"}})
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Add([]byte("1  |  A  |  192.0.2.1  |  x  |  proto41\n  |    |    |    |  dnsrd"))
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, Parser{}) })
}
