package vxvault

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte; the fixture holds a URL with a bad port, which
// goes to fail while the others make events.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{`"x"`: {"x": 1.0}})
}

func TestParseURL(t *testing.T) {
	for in, want := range map[string][3]string{
		"http://User@Host.Example:81/p?q#f": {"host.example", "81", "http://User@Host.Example:81/p?q#f"},
		"https://[2001:DB8::1]:443/":        {"2001:db8::1", "443", "https://[2001:DB8::1]:443/"},
		"http://a.example/x?":               {"a.example", "", "http://a.example/x"},
		"httpx":                             {"", "", "httpx"},
	} {
		u := parseURL(in)
		p, err := u.port()
		if err != nil {
			t.Fatal(err)
		}
		ps := ""
		if p > 0 {
			ps = itoa(p)
		}
		if got := [3]string{u.hostname(), ps, u.String()}; got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, Parser{}) })
}
