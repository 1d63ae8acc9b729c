package microsoft

import (
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata/ctip and testdata/bingmurls
// (NAME.params.json, the input NAME.*) and compares with
// NAME.golden.jsonl byte for byte.
func TestGolden(t *testing.T) {
	t.Run("ctip", func(t *testing.T) { parsertest.Golden(t, CTIPName, filepath.Join("testdata", "ctip")) })
	t.Run("bingmurls", func(t *testing.T) { parsertest.Golden(t, BingMURLsName, filepath.Join("testdata", "bingmurls")) })
}

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, CTIPName, map[string]map[string]any{
		"overwrite":         {"overwrite": "always"},
		"unknown parameter": {"overwrites": false},
	})
	parsertest.BadParams(t, BingMURLsName, map[string]map[string]any{"unknown parameter": {"overwrite": true}})
}

// FuzzParse feeds arbitrary reports to both parsers: no panic, and every
// event survives IntelMQ's flat form both ways.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"ctip", "bingmurls"} {
		for _, b := range parsertest.Inputs(filepath.Join("testdata", dir)) {
			f.Add(b)
		}
	}
	ps := []*CTIP{NewCTIP(CTIPConfig{}), NewCTIP(CTIPConfig{KeepExisting: true})}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, ps[0], ps[1], BingMURLs{}) })
}
