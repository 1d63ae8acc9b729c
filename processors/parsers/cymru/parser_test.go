package cymru

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadReport(t *testing.T) {
	got := parsertest.Run(t, FullBogons{}, parsertest.Report(t, []byte("no date here\n192.0.2.0/24\n")))
	if string(got) != "# error: the first line \"no date here\" holds no time in parentheses\n" {
		t.Errorf("%s", got)
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, FullBogons{}) })
}
