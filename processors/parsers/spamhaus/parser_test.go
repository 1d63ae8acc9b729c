package spamhaus

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata, each as the list its
// feed.url names, and compares with the golden files byte for byte; the
// fixtures hold bad lines, which go to fail while the others make events.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name, url string
		parser    parsers.Parser
	}{
		{"drop", "https://www.spamhaus.org/drop/drop.txt", Drop{}},
		{"asndrop", "https://www.spamhaus.org/drop/asndrop.txt", Drop{}},
		{"cert", "https://portal.example/cert/api.php?cert=TEST&key=SECRET", CERT{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := parsertest.Report(t, parsertest.Input(t, "testdata", c.name))
			if err := r.Set("feed.url", c.url); err != nil {
				t.Fatal(err)
			}
			parsertest.Check(t, "testdata/"+c.name+".golden.jsonl", parsertest.Run(t, c.parser, r))
		})
	}
}

// TestUnknownList: entries of a list that is not a DROP list fail.
func TestUnknownList(t *testing.T) {
	got := string(parsertest.Run(t, Drop{}, parsertest.Report(t, []byte("198.51.100.0/24 ; SBL1\n"))))
	if got != "# failed: line 1: unknown DROP list \"\" (feed.url)\n" {
		t.Errorf("%s", got)
	}
}

func TestBadParams(t *testing.T) {
	for _, name := range []string{DropName, CERTName} {
		parsertest.BadParams(t, name, map[string]map[string]any{`"x"`: {"x": 1.0}})
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, url := range []string{"https://www.spamhaus.org/drop/drop.txt", "https://www.spamhaus.org/drop/asndrop.txt"} {
			r := parsertest.Report(t, raw)
			if err := r.Set("feed.url", url); err != nil {
				t.Fatal(err)
			}
			parsertest.Run(t, Drop{}, r)
		}
		parsertest.Fuzz(t, raw, CERT{})
	})
}
