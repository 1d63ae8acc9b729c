// Package pytext holds the text handling of Python that IntelMQ's
// line-based parsers rely on: str.splitlines and str.strip, and the lines
// IntelMQ's ParserBot hands to parse_line by default.
package pytext

import (
	"iter"
	"unicode/utf8"

	"github.com/intelstream/intelstream/processors/parsers"
)

// mayBound marks the bytes that may start a line boundary.
var mayBound = [256]bool{'\n': true, '\r': true, '\v': true, '\f': true, 0x1c: true, 0x1d: true, 0x1e: true, 0xc2: true, 0xe2: true}

// SplitLines yields the lines of data as Python's str.splitlines() splits
// them, without their line boundaries, with their 1-based numbers. The
// boundaries are "\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e",
// U+0085, U+2028 and U+2029. A final boundary starts no empty line.
func SplitLines(data string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		n := 0
		start := 0
		for i := 0; i < len(data); {
			// Skip to the next byte that may start a boundary (the lead
			// bytes 0xc2 and 0xe2 never occur inside a UTF-8 character).
			for i < len(data) && !mayBound[data[i]] {
				i++
			}
			if i == len(data) {
				break
			}
			c := data[i]
			w := 0 // width of the boundary at i
			switch {
			case c == '\n' || c == '\v' || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e:
				w = 1
			case c == '\r':
				w = 1
				if i+1 < len(data) && data[i+1] == '\n' {
					w = 2
				}
			case c == 0xc2 && i+1 < len(data) && data[i+1] == 0x85:
				w = 2
			case c == 0xe2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xa8 || data[i+2] == 0xa9):
				w = 3
			}
			if w == 0 {
				i++ // 0xc2 or 0xe2 leading another character
				continue
			}
			n++
			if !yield(n, data[start:i]) {
				return
			}
			i += w
			start = i
		}
		if start < len(data) {
			yield(n+1, data[start:])
		}
	}
}

// Strip returns s without the white space Python's str.strip() removes.
func Strip(s string) string {
	if s == "" || !isSpaceByte(s[0]) && !isSpaceByte(s[len(s)-1]) {
		return s // the common case, without looking further
	}
	i, j := parsers.PyStrip([]byte(s))
	return s[i:j]
}

// isSpaceByte reports whether a string starting or ending with c may need
// stripping: ASCII white space and separators, and any non-ASCII byte.
func isSpaceByte(c byte) bool {
	return c <= ' ' || c >= utf8.RuneSelf
}

// Lines yields what IntelMQ's ParserBot.parse yields by default and its
// process loop keeps: every line of data (SplitLines), stripped, that is
// not empty, with its number.
func Lines(data []byte) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for n, line := range SplitLines(string(data)) {
			line = Strip(line)
			if len(line) == 0 {
				continue
			}
			if !yield(n, line) {
				return
			}
		}
	}
}
