package eset

import (
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

func report(t testing.TB, raw []byte, feed string) []byte {
	r := parsertest.Report(t, raw)
	if feed != "" {
		if err := r.Set("extra.eset_feed", feed); err != nil {
			t.Fatal(err)
		}
	}
	return parsertest.Run(t, Parser{}, r)
}

// TestGolden parses our fixture in testdata as the domains feed and
// compares with the golden file byte for byte; the fixture holds bad
// elements, which go to fail while the others make events.
func TestGolden(t *testing.T) {
	got := report(t, parsertest.Input(t, "testdata", "domains"), domainsFeed)
	parsertest.Check(t, "testdata/domains.golden.jsonl", got)
}

// TestURLs parses an element of the URL feed.
func TestURLs(t *testing.T) {
	got := string(report(t, []byte(`[{"domain": "a.example", "ip": null, "url": "http://a.example/x.exe", "domain_last_seen": "2024-04-01 00:00:00 UTC", "reason": "Host is known source of active fraudulent content."}]`), urlsFeed))
	for _, want := range []string{`"source.url": "http://a.example/x.exe"`, `"classification.type": "other"`, `"time.source": "2024-04-01T00:00:00+00:00"`} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
}

// TestUnknownFeed: elements of a feed the parser does not know fail.
func TestUnknownFeed(t *testing.T) {
	for _, feed := range []string{"", "ei.other"} {
		got := string(report(t, []byte(`[{"domain": "a.example", "ip": null, "reason": "r"}]`), feed))
		if !strings.HasPrefix(got, "# failed: element 1: ") {
			t.Errorf("%q: %s", feed, got)
		}
	}
}

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{`"x"`: {"x": 1.0}})
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		report(t, raw, domainsFeed)
		report(t, raw, urlsFeed)
	})
}
