package parsers

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/internal/pyjson"
)

func TestAppendPyJSON(t *testing.T) {
	in := `{"b": 1, "a": [1.50, -0, 1E2, "\u00e9"], "b": 2}`
	for _, tc := range []struct {
		o    pyjson.Options
		want string
	}{
		{pyjson.Options{EnsureASCII: true}, `{"b": 2, "a": [1.5, 0, 100.0, "\u00e9"]}`},
		{pyjson.Options{}, `{"b": 2, "a": [1.5, 0, 100.0, "é"]}`},
		{pyjson.Options{Compact: true}, `{"b":2,"a":[1.5,0,100.0,"é"]}`},
	} {
		got, err := AppendPyJSON(nil, in, tc.o)
		if err != nil || string(got) != tc.want {
			t.Errorf("%+v: %s %v, want %s", tc.o, got, err, tc.want)
		}
	}
	got, err := AppendPyJSON([]byte("["), `{"x":null,"y":true,"z":[{}, []],"n":NaN,"big":123456789012345678901234567890}`, pyjson.Options{EnsureASCII: true})
	if want := `[{"x": null, "y": true, "z": [{}, []], "n": NaN, "big": 123456789012345678901234567890}`; err != nil || string(got) != want {
		t.Errorf("%s %v, want %s", got, err, want)
	}
	for _, bad := range []string{`{"a":}`, `[1,]`, `1 2`, ``} {
		if _, err := AppendPyJSON(nil, bad, pyjson.Options{}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestNeedsQuote checks the one-pass test against the plain one it stands
// in for, on random fields, dialects and line endings.
func TestNeedsQuote(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	alphabet := []byte("ab,;\"'|\r\n\t x")
	for i := 0; i < 20000; i++ {
		f := make([]byte, r.IntN(8))
		for j := range f {
			f[j] = alphabet[r.IntN(len(alphabet))]
		}
		d := CSVDialect{Delimiter: ",;|"[r.IntN(3)], Quote: "\"'"[r.IntN(2)]}
		lineEnd := []string{"\r\n", "\n", "\r", "x", "\t"}[r.IntN(5)]
		want := strings.IndexByte(string(f), d.Delimiter) >= 0 || strings.IndexByte(string(f), d.Quote) >= 0 || strings.ContainsAny(string(f), lineEnd)
		if got := needsQuote(string(f), d, lineEnd); got != want {
			t.Fatalf("needsQuote(%q, %q, %q) = %v, want %v", f, d.Delimiter, lineEnd, got, want)
		}
	}
}
