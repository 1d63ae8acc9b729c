package pyjson

import "unicode/utf8"

// invalidLen returns the length of the maximal subpart of an ill-formed UTF-8
// sequence at the start of s, which must be non-empty and start with an
// invalid sequence (utf8.DecodeRuneInString returned RuneError, 1).
//
// Replacing each maximal subpart by one U+FFFD is what Python's
// bytes.decode("utf-8", "replace") does; encoding/json and Go's range loop
// would instead produce one U+FFFD per byte. Matching Python keeps our
// output identical to IntelMQ's for the same input bytes.
func invalidLen(s string) int {
	c := s[0]
	need := 0
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(s) {
		b := s[n]
		if b < lo || b > hi {
			break
		}
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}

// toValidUTF8 returns s with every maximal invalid subsequence replaced by
// U+FFFD; s itself is returned when it is valid.
func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\uFFFD"...)
			i += invalidLen(s[i:])
			continue
		}
		b = append(b, s[i:i+size]...)
		i += size
	}
	return string(b)
}

// load64 reads 8 bytes of s at i as a little-endian word. The compiler merges
// the byte loads into a single 64-bit load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialMask returns a word whose high bit is set in every byte lane of x
// that holds '"', '\\', a control character (< 0x20) or a non-ASCII byte
// (>= 0x80). Borrows from a flagged lane may also flag higher lanes, so only
// the lowest flagged lane is exact, which is all callers use.
func specialMask(x uint64) uint64 {
	return ((x - 0x20*lsb) | ((x ^ '"'*lsb) - lsb) | ((x ^ '\\'*lsb) - lsb) | x) & msb
}
