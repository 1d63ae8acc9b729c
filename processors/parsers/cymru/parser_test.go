package cymru

import (
	"errors"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers"

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

func TestGoldenCAPProgram(t *testing.T) {
	parsertest.Golden(t, CAPName, "testdata/cap")
	parsertest.Golden(t, CAPName, "testdata/capnew")
}

func TestCAPProgramParams(t *testing.T) {
	_, err := parsers.New(CAPName, map[string]any{"delimiter": ";"})
	if !errors.Is(err, parsers.ErrParameter) || !strings.Contains(err.Error(), "delimiter") {
		t.Fatalf("got %v", err)
	}
}

func TestCAPProgramNoHeader(t *testing.T) {
	got := parsertest.Run(t, CAPProgram{}, parsertest.Report(t, []byte("spam|192.0.2.1|1|2024-01-01 00:00:00||X\n")))
	if !strings.Contains(string(got), "# failed: line 1: no comment line") {
		t.Errorf("%s", got)
	}
}

func FuzzParseCAPProgram(f *testing.F) {
	for _, dir := range []string{"testdata/cap", "testdata/capnew"} {
		for _, b := range parsertest.Inputs(dir) {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, CAPProgram{}) })
}
