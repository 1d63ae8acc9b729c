package json

import (
	"slices"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

type numbered struct {
	n    int
	line string
}

func collect(seq func(func(int, string) bool), limit int) []numbered {
	var out []numbered
	for n, line := range seq {
		out = append(out, numbered{n, line})
		if len(out) == limit {
			break
		}
	}
	return out
}

// checkSplit compares splitLines with pytext.SplitLines on data, in full
// and when the caller stops early.
func checkSplit(t *testing.T, data string) {
	t.Helper()
	want := collect(pytext.SplitLines(data), -1)
	if got := collect(splitLines([]byte(data)), -1); !slices.Equal(got, want) {
		t.Fatalf("splitLines(%q) = %v, want %v", data, got, want)
	}
	for limit := 1; limit <= len(want); limit++ {
		if got := collect(splitLines([]byte(data)), limit); !slices.Equal(got, want[:limit]) {
			t.Fatalf("splitLines(%q) stopped after %d = %v, want %v", data, limit, got, want[:limit])
		}
	}
}

var splitCases = []string{
	"", "\n", "\n\n", "a", "a\n", "a\nb", "a\n\nb\n", "a\r\nb", "a\rb\n", "a\r", "\r\n\r\n",
	"a\vb\fc\x1cd\x1de\x1ef\n", "a\tb\nc", "x\u0085y\nz", "x\u2028y\u2029z\n", "\u00e9t\u00e9\nb",
	"\u20ac\n\u2030\nq", "\xc2\n\xe2\x80\nz", "\xff\xfe\n", "{\"a\": 1}\n{\"b\": 2}\n",
	strings.Repeat("0123456789abcdef", 5) + "\n" + strings.Repeat("x", 17) + "\r\n" + strings.Repeat("y", 9),
	strings.Repeat("long line without a boundary ", 10),
	strings.Repeat("z", 15) + "\x00" + strings.Repeat("z", 3) + "\n\x7f\x80",
}

func TestSplitLines(t *testing.T) {
	for _, c := range splitCases {
		checkSplit(t, c)
		checkSplit(t, strings.Repeat("12345678", 3)+c)
	}
}

func FuzzSplitLines(f *testing.F) {
	for _, c := range splitCases {
		f.Add(c)
	}
	f.Fuzz(checkSplit)
}
