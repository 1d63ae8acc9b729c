package pytext

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

// TestSplitLines holds lines as Python's str.splitlines() gives them.
func TestSplitLines(t *testing.T) {
	for in, want := range map[string][]string{
		"":                      nil,
		"a":                     {"a"},
		"a\n":                   {"a"},
		"a\n\nb":                {"a", "", "b"},
		"a\r\nb\rc\vd\fe\x1cf":  {"a", "b", "c", "d", "e", "f"},
		"x\u2028y\u0085z\u2029": {"x", "y", "z"},
		"\n":                    {""},
		"¢1\n€2\u2027x\u2028é":  {"¢1", "€2\u2027x", "é"}, // lead bytes 0xc2/0xe2 of other characters
	} {
		var got []string
		for _, l := range SplitLines(in) {
			got = append(got, l)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestLines(t *testing.T) {
	var nums []int
	var lines []string
	for n, l := range Lines([]byte(" a \n\n\t\n\u00a0b\u3000\r\nc")) {
		nums = append(nums, n)
		lines = append(lines, l)
	}
	if !reflect.DeepEqual(nums, []int{1, 4, 5}) || !reflect.DeepEqual(lines, []string{"a", "b", "c"}) {
		t.Errorf("%v %q", nums, lines)
	}
}

// splitRunes is SplitLines written plainly, rune by rune, for the fuzz
// target to compare with.
func splitRunes(data string) []string {
	var out []string
	rs := []rune(data)
	start := 0
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		case '\r':
			if i+1 < len(rs) && rs[i+1] == '\n' {
				out = append(out, string(rs[start:i]))
				i++
				start = i + 1
				continue
			}
		default:
			continue
		}
		out = append(out, string(rs[start:i]))
		start = i + 1
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

func FuzzSplitLines(f *testing.F) {
	for _, s := range []string{"a\r\nb", "x\u2028y\u0085z", "¢€\u2027\n", "\r\r\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // Python decodes the report first
		}
		var got []string
		for _, l := range SplitLines(s) {
			got = append(got, l)
		}
		if want := splitRunes(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
	})
}
