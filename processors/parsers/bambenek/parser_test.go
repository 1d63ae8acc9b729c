package bambenek

import (
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestFeeds parses our fixture as each kind of feed, told by feed.url.
func TestFeeds(t *testing.T) {
	raw := parsertest.Input(t, "testdata", "domains")
	for name, url := range map[string]string{
		"dommaster": "https://osint.bambenekconsulting.com/feeds/c2-dommasterlist.txt",
		"dga":       "https://osint.bambenekconsulting.com/feeds/dga-feed.txt",
	} {
		t.Run(name, func(t *testing.T) {
			r := parsertest.Report(t, raw)
			if err := r.Set("feed.url", url); err != nil {
				t.Fatal(err)
			}
			parsertest.Check(t, "testdata/domains-"+name+".golden.jsonl", parsertest.Run(t, Parser{}, r))
		})
	}
	got := parsertest.Run(t, Parser{}, parsertest.Report(t, raw))
	if !strings.HasPrefix(string(got), "# error: unknown Bambenek feed") {
		t.Errorf("without feed.url: %s", got)
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, url := range []string{"http://osint.bambenekconsulting.com/feeds/c2-ipmasterlist.txt", "https://faf.bambenekconsulting.com/feeds/dga-feed.txt"} {
			r := parsertest.Report(t, raw)
			if err := r.Set("feed.url", url); err != nil {
				t.Fatal(err)
			}
			parsertest.Run(t, Parser{}, r)
		}
	})
}
