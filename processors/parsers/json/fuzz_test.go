package json

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// FuzzParse feeds arbitrary reports to the parser in its three modes: no
// panic, and every event survives IntelMQ's flat form both ways.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	var ps []parsers.Parser
	for _, c := range []Config{{}, {SplitLines: true}, {MultipleEvents: true}} {
		p, err := New(c)
		if err != nil {
			f.Fatal(err)
		}
		ps = append(ps, p)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, ps...) })
}
