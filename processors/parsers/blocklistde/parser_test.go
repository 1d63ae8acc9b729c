package blocklistde

import (
	"context"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata (a report without feed.url:
// a plain blacklist) and compares with the golden files byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

// TestListByURL checks that the list's file name picks the classification.
func TestListByURL(t *testing.T) {
	for url, want := range map[string]string{
		"https://lists.example/lists/ssh.txt":    "ids-alert",
		"https://lists.example/lists/bots.txt":   "spam",
		"https://lists.example/lists/other.txt":  "blacklist",
		"https://lists.example/lists/ssh.txt/":   "blacklist",
		"https://lists.example/lists/ircbot.txt": "infected-system",
	} {
		r := &dho.Report{Raw: []byte("192.0.2.1\n")}
		if err := r.Set("feed.url", url); err != nil {
			t.Fatal(err)
		}
		var got string
		err := Parser{}.Parse(context.Background(), r, func(ev *dho.Event) error {
			got = ev.Classification.Type
			return nil
		}, func(f parsers.Failure) { t.Errorf("%s: %v", url, f) })
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", url, got, err, want)
		}
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, Parser{}) })
}
