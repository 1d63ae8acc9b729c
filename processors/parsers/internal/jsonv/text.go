package jsonv

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/intelstream/intelstream/internal/pyjson"
)

// PyStr is Python's str() of the value: a string as it is, numbers as
// Python prints them, True, False, None, and lists and dicts in their
// repr form ({'a': [1, 'b']}).
func (v Value) PyStr() string {
	if v.Kind == String {
		return v.S
	}
	return string(v.appendRepr(nil))
}

// appendRepr appends Python's repr() of v.
func (v Value) appendRepr(dst []byte) []byte {
	switch v.Kind {
	case Null:
		return append(dst, "None"...)
	case Bool:
		if v.B {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case Int:
		if v.Big != "" {
			return append(dst, v.Big...)
		}
		return pyjson.AppendInt(dst, v.N)
	case Float:
		switch {
		case math.IsNaN(v.F):
			return append(dst, "nan"...)
		case math.IsInf(v.F, 1):
			return append(dst, "inf"...)
		case math.IsInf(v.F, -1):
			return append(dst, "-inf"...)
		}
		return pyjson.AppendFloat(dst, v.F)
	case String:
		return appendStrRepr(dst, v.S)
	case Array:
		dst = append(dst, '[')
		for i, e := range v.Elems {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = e.appendRepr(dst)
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		for i, e := range v.Elems {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendStrRepr(dst, v.Keys[i])
			dst = append(dst, ": "...)
			dst = e.appendRepr(dst)
		}
		return append(dst, '}')
	}
	return dst
}

// appendStrRepr appends Python's repr() of a str: single quotes unless
// the text holds a single quote and no double quote, backslash escapes
// for the quote, backslash, \t, \n, \r and characters that are not
// printable.
func appendStrRepr(dst []byte, s string) []byte {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	dst = append(dst, q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r < ' ' || r == 0x7f:
			dst = fmt.Appendf(dst, `\x%02x`, r)
		case r < 0x7f || unicode.IsPrint(r):
			dst = append(dst, string(r)...)
		case r <= 0xff:
			dst = fmt.Appendf(dst, `\x%02x`, r)
		case r <= 0xffff:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		default:
			dst = fmt.Appendf(dst, `\U%08x`, r)
		}
	}
	return append(dst, q)
}

// Options select the json.dumps flavour of AppendJSON.
type Options struct {
	// SortKeys writes object members sorted by key (sort_keys=True);
	// otherwise in their order.
	SortKeys bool
	// UnicodeOut writes non-ASCII characters as they are
	// (ensure_ascii=False); by default they are escaped as json.dumps
	// does.
	UnicodeOut bool
}

// AppendJSON appends v as Python's json.dumps writes it with o: separators
// ", " and ": ", floats as repr, NaN and Infinity as such.
func AppendJSON(dst []byte, v Value, o Options) []byte {
	switch v.Kind {
	case Null:
		return pyjson.AppendNull(dst)
	case Bool:
		return pyjson.AppendBool(dst, v.B)
	case Int:
		if v.Big != "" {
			return append(dst, v.Big...)
		}
		return pyjson.AppendInt(dst, v.N)
	case Float:
		return pyjson.AppendFloat(dst, v.F)
	case String:
		return pyjson.AppendString(dst, v.S, !o.UnicodeOut)
	case Array:
		dst = append(dst, '[')
		for i, e := range v.Elems {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendJSON(dst, e, o)
		}
		return append(dst, ']')
	case Object:
		order := make([]int, len(v.Keys))
		for i := range order {
			order[i] = i
		}
		if o.SortKeys {
			slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(v.Keys[a], v.Keys[b]) })
		}
		dst = append(dst, '{')
		for n, i := range order {
			if n > 0 {
				dst = append(dst, ", "...)
			}
			dst = pyjson.AppendString(dst, v.Keys[i], !o.UnicodeOut)
			dst = append(dst, ": "...)
			dst = AppendJSON(dst, v.Elems[i], o)
		}
		return append(dst, '}')
	}
	return dst
}

// JSON returns AppendJSON of v as a string.
func (v Value) JSON(o Options) string { return string(AppendJSON(nil, v, o)) }
