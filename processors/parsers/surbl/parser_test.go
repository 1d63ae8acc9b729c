package surbl

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte; the fixtures hold bad lines, which go to fail while
// the others make events.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{`"x"`: {"x": 1.0}})
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, Parser{}) })
}
