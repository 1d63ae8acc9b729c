package pytext

import (
	"reflect"
	"testing"
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
