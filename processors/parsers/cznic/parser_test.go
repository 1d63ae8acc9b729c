package cznic

import (
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata/proki and testdata/haas
// (NAME.params.json, the input NAME.json) and compares with
// NAME.golden.jsonl byte for byte.
func TestGolden(t *testing.T) {
	t.Run("proki", func(t *testing.T) { parsertest.Golden(t, ProkiName, filepath.Join("testdata", "proki")) })
	t.Run("haas", func(t *testing.T) { parsertest.Golden(t, HaasName, filepath.Join("testdata", "haas")) })
}

func TestBadParams(t *testing.T) {
	for _, name := range []string{ProkiName, HaasName} {
		parsertest.BadParams(t, name, map[string]map[string]any{"unknown parameter": {"api_key": "x"}})
	}
}

// FuzzParse feeds arbitrary reports to both parsers: no panic, and every
// event survives IntelMQ's flat form both ways.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"proki", "haas"} {
		for _, b := range parsertest.Inputs(filepath.Join("testdata", dir)) {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, Proki{}, Haas{}) })
}
