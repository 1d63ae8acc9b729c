package json

import (
	"encoding/binary"
	"iter"
	"math/bits"

	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// splitLines yields the lines of data exactly as pytext.SplitLines yields
// those of string(data) (Python's str.splitlines), each as a string of its
// own, so that what is decoded from a line keeps only that line alive and
// never data, which the caller may reuse. For the usual JSON lines it is
// faster: it looks at eight bytes at a time for a byte below 0x20 or above
// 0x7f, ends a line at "\n", and copies a line just before it is decoded
// (while data is read once, not copied whole and then read again). Once it
// meets any other byte that may start a line boundary, it hands the rest
// of data, from the start of the current line, to pytext.SplitLines: a
// boundary always ends before the current line starts, so splitting the
// rest alone gives the same lines.
func splitLines(data []byte) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		n, start := 0, 0
		for i := 0; ; i++ {
			i = nextControl(data, i)
			if i >= len(data) {
				if start < len(data) {
					yield(n+1, string(data[start:]))
				}
				return
			}
			switch c := data[i]; {
			case c == '\n':
				n++
				if !yield(n, string(data[start:i])) {
					return
				}
				start = i + 1
			case mayBound[c]:
				for m, line := range pytext.SplitLines(string(data[start:])) {
					if !yield(n+m, line) {
						return
					}
				}
				return
			}
		}
	}
}

// mayBound marks the bytes other than "\n" that may start a line boundary
// for str.splitlines: "\r", "\v", "\f", "\x1c"-"\x1e", and the lead bytes
// of U+0085, U+2028 and U+2029.
var mayBound = [256]bool{'\r': true, '\v': true, '\f': true, 0x1c: true, 0x1d: true, 0x1e: true, 0xc2: true, 0xe2: true}

// nextControl returns the offset of the first byte at or after i that is
// below 0x20 or above 0x7f, or len(s).
func nextControl(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		// The high bit of a lane is set for a byte >= 0x80 or (from the
		// subtraction) < 0x20; a borrow only flags lanes above the first
		// flagged one, so the lowest flagged lane is exact.
		if m := ((x - 0x2020202020202020) | x) & 0x8080808080808080; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return i
}
