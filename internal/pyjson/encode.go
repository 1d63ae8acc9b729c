package pyjson

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Separators used by Python's json.dumps. The defaults (indent=None) put a
// space after ',' and ':'; IntelMQ relies on the defaults, so they are what
// [Writer] and [Append] use unless Compact is set.
const (
	ItemSeparator        = ", " // between array elements and object members
	KeySeparator         = ": " // between an object key and its value
	CompactItemSeparator = ","  // separators=(",", ":")
	CompactKeySeparator  = ":"  // separators=(",", ":")
)

// ErrNaN is returned when a NaN or infinite float is written with
// allow_nan=False semantics ([AppendFloatStrict], Options.DisallowNaN). The
// message is Python's ValueError text.
var ErrNaN = errors.New("pyjson: Out of range float values are not JSON compliant")

const hexDigits = "0123456789abcdef"

// safeUTF8 and safeASCII report which bytes below 0x80 are copied verbatim
// in the respective mode. Bytes >= 0x80 are handled separately because they
// need UTF-8 validation.
var safeUTF8, safeASCII [256]bool

func init() {
	for c := 0x20; c < 0x80; c++ {
		safeUTF8[c] = c != '"' && c != '\\'
		safeASCII[c] = safeUTF8[c] && c != 0x7f
	}
}

// AppendString appends s as a JSON string exactly as Python's json.dumps
// writes a str: with asciiOnly false as ensure_ascii=False (IntelMQ's file
// output), with asciiOnly true as ensure_ascii=True (json.dumps' default).
//
// Python str cannot contain invalid UTF-8 but Go strings can: each maximal
// invalid subsequence is written as U+FFFD (raw, or \ufffd when asciiOnly),
// which is what Python writes for bytes decoded with errors="replace".
func AppendString(dst []byte, s string, asciiOnly bool) []byte {
	dst = append(dst, '"')
	// Bulk-copy runs of bytes that need no escaping: the common case is a
	// string without any special byte, copied with a single append.
	start := 0
	i := 0
	for i < len(s) {
		// Skip eight plain ASCII bytes at a time.
		for i+8 <= len(s) {
			x := load64(s, i)
			m := specialMask(x)
			if asciiOnly {
				m |= (x + lsb) & msb // DEL becomes 0x80
			}
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3 // first flagged byte
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if (asciiOnly && safeASCII[c]) || (!asciiOnly && safeUTF8[c]) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			if asciiOnly {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, "\uFFFD"...)
			}
			i += invalidLen(s[i:])
			start = i
			continue
		}
		if !asciiOnly {
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		if r >= 0x10000 {
			r -= 0x10000
			dst = appendU4(dst, 0xD800+r>>10)
			dst = appendU4(dst, 0xDC00+r&0x3ff)
		} else {
			dst = appendU4(dst, r)
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendU4 appends \uXXXX with lowercase hex, as Python does.
func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// AppendFloat appends f exactly as Python's json.dumps writes a float, that
// is float.__repr__ (see the package documentation for the notation rules).
// NaN and ±Inf are written as NaN, Infinity and -Infinity like json.dumps
// with its default allow_nan=True; that is not valid RFC 8259 JSON, so use
// [AppendFloatStrict] where the output must be strict JSON.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case f != f:
		return append(dst, "NaN"...)
	case f > math.MaxFloat64:
		return append(dst, "Infinity"...)
	case f < -math.MaxFloat64:
		return append(dst, "-Infinity"...)
	}
	// strconv's shortest round-trip digits are the same as Python's
	// (David Gay's dtoa mode 0): the shortest string that reads back to f,
	// the one nearest to f if there are several. Only the layout differs.
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd[d]
	ei := len(b) - 4
	for b[ei] != 'e' {
		ei--
	}
	exp := 0
	for _, c := range b[ei+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[ei+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		// Python's scientific layout equals strconv's 'e' layout: no ".0"
		// on a one-digit mantissa, signed exponent of at least two digits.
		return append(dst, b...)
	}
	if b[0] == '-' {
		dst = append(dst, '-')
		b = b[1:]
		ei--
	}
	d0 := b[0]
	var rest []byte // digits after the first one
	if ei > 1 {
		rest = b[2:ei]
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		dst = append(dst, d0)
		return append(dst, rest...)
	}
	dst = append(dst, d0)
	if len(rest) <= exp {
		dst = append(dst, rest...)
		for i := len(rest); i < exp; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, rest[:exp]...)
	dst = append(dst, '.')
	return append(dst, rest[exp:]...)
}

// AppendFloatStrict is [AppendFloat] with json.dumps' allow_nan=False: it
// refuses NaN and ±Inf with [ErrNaN] (returning dst unchanged) instead of
// writing tokens that strict JSON parsers reject.
func AppendFloatStrict(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, ErrNaN
	}
	return AppendFloat(dst, f), nil
}

// AppendInt appends n in decimal, which is Python's repr of an int.
func AppendInt(dst []byte, n int64) []byte {
	return strconv.AppendInt(dst, n, 10)
}

// AppendBool appends true or false.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// AppendNull appends null, which is how json.dumps writes None.
func AppendNull(dst []byte) []byte {
	return append(dst, "null"...)
}
