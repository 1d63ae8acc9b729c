package githubfeed

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

const feedURL = "https://raw.githubusercontent.com/StrangerealIntel/DailyIOC/master/2024/iocs.json"

func report(t testing.TB, raw []byte, url string, metadata bool) *dho.Report {
	t.Helper()
	r := parsertest.Report(t, raw)
	if url != "" {
		if err := r.Set("feed.url", url); err != nil {
			t.Fatal(err)
		}
	}
	if metadata {
		var md dho.Report
		if err := md.UnmarshalFlat(`{"__type": "Report", "extra.file_metadata": {"sha": "abc123", "size": 700}}`); err != nil {
			t.Fatal(err)
		}
		v, _ := md.Get("extra.file_metadata")
		if err := r.Set("extra.file_metadata", v); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestGolden parses our fixture with and without the collector's file
// metadata and compares with the golden files byte for byte.
func TestGolden(t *testing.T) {
	input := parsertest.Input(t, "testdata", "iocs")
	for _, tc := range []struct {
		name     string
		metadata bool
	}{{"iocs", false}, {"iocs-metadata", true}} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsers.New(Name, map[string]any{"logging_level": "INFO"})
			if err != nil {
				t.Fatal(err)
			}
			got := parsertest.Run(t, p, report(t, input, feedURL, tc.metadata))
			parsertest.Check(t, filepath.Join("testdata", tc.name+".golden.jsonl"), got)
		})
	}
}

func TestBadReports(t *testing.T) {
	for _, tc := range []struct{ raw, url, want string }{
		{`[]`, "https://example.com/other.json", `# error: unknown feed "https://example.com/other.json"`},
		{`[{"Indicator": `, feedURL, "# error: not JSON"},
		{`{"Indicator": "x"}`, feedURL, "# error: want a JSON list"},
	} {
		got := string(parsertest.Run(t, Parser{}, report(t, []byte(tc.raw), tc.url, false)))
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestParams(t *testing.T) {
	_, err := parsers.New(Name, map[string]any{"feed": "x"})
	if !errors.Is(err, parsers.ErrParameter) || !strings.Contains(err.Error(), "feed") {
		t.Fatalf("got %v", err)
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := Parser{}
		parsertest.Run(t, p, report(t, raw, feedURL, true))
	})
}
