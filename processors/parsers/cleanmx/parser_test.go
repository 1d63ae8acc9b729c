package cleanmx

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

const (
	phishingURL = "http://feed.example/clean-mx/xmlphishing?response=alive"
	virusesURL  = "http://feed.example/clean-mx/xmlviruses?response=alive"
)

func report(t testing.TB, raw []byte, url string) *dho.Report {
	t.Helper()
	r := parsertest.Report(t, raw)
	if url != "" {
		if err := r.Set("feed.url", url); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte.
func TestGolden(t *testing.T) {
	for name, url := range map[string]string{"phishing": phishingURL, "viruses": virusesURL} {
		t.Run(name, func(t *testing.T) {
			p, err := parsers.New(Name, map[string]any{"logging_level": "INFO"})
			if err != nil {
				t.Fatal(err)
			}
			input := parsertest.Input(t, "testdata", name)
			got := parsertest.Run(t, p, report(t, input, url))
			parsertest.Check(t, filepath.Join("testdata", name+".golden.jsonl"), got)
		})
	}
}

func TestRaw(t *testing.T) {
	root, err := parseXML("<a><entry k=\"1&#10;2\">x &amp; <b/>tail<c></c></entry>after</a>")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	root.iter("entry", func(e *element) { got = append(got, e.toString()) })
	want := "<entry k=\"1&#10;2\">x &amp; <b />tail<c /></entry>after"
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBadReports(t *testing.T) {
	for _, tc := range []struct{ raw, url, want string }{
		{"<entry>", phishingURL, "# error: not XML"},
		{"<entry/>", "http://feed.example/x?format=csv", "# error: the CSV format"},
		{"<e><entry><id>1</id></entry></e>", "http://feed.example/other", "# failed: unknown feed"},
	} {
		got := string(parsertest.Run(t, Parser{}, report(t, []byte(tc.raw), tc.url)))
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestParams(t *testing.T) {
	_, err := parsers.New(Name, map[string]any{"type": "phishing"})
	if !errors.Is(err, parsers.ErrParameter) || !strings.Contains(err.Error(), "type") {
		t.Fatalf("got %v", err)
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		parsertest.Run(t, Parser{}, report(t, raw, phishingURL))
		parsertest.Run(t, Parser{}, report(t, raw, virusesURL))
	})
}
