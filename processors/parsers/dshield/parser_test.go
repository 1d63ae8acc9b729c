package dshield

import (
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte; the fixtures hold bad lines, which go to fail while
// the others make events.
func TestGolden(t *testing.T) {
	for name, parser := range map[string]parsers.Parser{"asn": ASN{}, "block": Block{}} {
		t.Run(name, func(t *testing.T) {
			r := parsertest.Report(t, parsertest.Input(t, "testdata", name))
			if err := r.Set("feed.url", "https://feeds.example/asdetailsascii.html?as=64500"); err != nil {
				t.Fatal(err)
			}
			parsertest.Check(t, "testdata/"+name+".golden.jsonl", parsertest.Run(t, parser, r))
		})
	}
}

// TestNoAS: without an AS number in feed.url every line fails.
func TestNoAS(t *testing.T) {
	got := string(parsertest.Run(t, ASN{}, parsertest.Report(t, parsertest.Input(t, "testdata", "asn"))))
	if strings.Contains(got, "{") || !strings.Contains(got, "names no AS") {
		t.Errorf("%s", got)
	}
}

// TestNoTime: a block list without its time fails its lines.
func TestNoTime(t *testing.T) {
	got := string(parsertest.Run(t, Block{}, parsertest.Report(t, []byte("198.51.100.0\t198.51.100.255\t24\n"))))
	if !strings.Contains(got, "# failed: line 1: no \"updated:\"") {
		t.Errorf("%s", got)
	}
}

func TestBadParams(t *testing.T) {
	for _, name := range []string{ASNName, BlockName} {
		parsertest.BadParams(t, name, map[string]map[string]any{`"x"`: {"x": 1.0}})
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, ASN{}, Block{}) })
}
