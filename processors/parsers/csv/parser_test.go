package csv

import (
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata (NAME.params.json, the input
// NAME.*) and compares with NAME.golden.jsonl byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestRegisteredUnderIntelMQName(t *testing.T) {
	if _, err := parsers.NewIntelMQ(IntelMQModule, map[string]any{"columns": "source.ip"}); err != nil {
		t.Fatal(err)
	}
}

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{
		"columns: is required":          {},
		"not a field name":              {"columns": []any{"source.ip", "source.nope"}},
		"columns_required: has 1 items": {"columns": "source.ip,source.fqdn", "columns_required": []any{true}},
		"delimiter":                     {"columns": "source.ip", "delimiter": ";;"},
		"filter_type":                   {"columns": "source.ip", "filter_type": "greylist", "filter_text": "x"},
		"time_format":                   {"columns": "source.ip", "time_format": "from_format"},
		"type":                          {"columns": "source.ip", "type": "no-such-type"},
		"data_type":                     {"columns": "extra.x", "data_type": `{"extra.x": "xml"}`},
		"column_regex_search":           {"columns": "source.ip", "column_regex_search": map[string]any{"source.ip": "("}},
		"compose_fields":                {"columns": "source.ip", "compose_fields": map[string]any{"source.url": "{0!r}"}},
		"skip_header":                   {"columns": "source.ip", "skip_header": "yes"},
		`unknown parameter(s) "colums"`: {"columns": "source.ip", "colums": "x"},
		"type_translation":              {"columns": "source.ip", "type_translation": "{not json"},
	})
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ tmpl, want string }{
		{"http://{0}{1}", "http://a.example/p"},
		{"{}-{}", "a.example-/p"},
		{"{{literal}} {1}", "{literal} /p"},
	} {
		f, err := parseFormat(tc.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", tc.tmpl, err)
		}
		got, err := f.format([]string{"a.example", "/p"})
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
	for _, bad := range []string{"{0", "}", "{name}", "{0}{}", "{0:>5}"} {
		if _, err := parseFormat(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	f, _ := parseFormat("{3}")
	if _, err := f.format([]string{"x"}); err == nil || !strings.Contains(err.Error(), "{3}") {
		t.Errorf("missing column: %v", err)
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a,b\n", "a,b\n"},
		{"# c\n  # d\r\n\t \n  x,y\n\n z", "x,y\nz"},
		{"  \r\nq", "\r\nq"},
		{"a\x00b\n#", "ab\n"},
	} {
		got, _ := clean([]byte(tc.in))
		if string(got) != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{"a\nb\n": "\n", "a\r\nb\r\n": "\r\n", "a\rb": "\r", "a\nb\r\n": "\r\n", "ab": "\r\n"} {
		if got := lineEnding([]byte(in)); got != want {
			t.Errorf("lineEnding(%q) = %q, want %q", in, got, want)
		}
	}
}
