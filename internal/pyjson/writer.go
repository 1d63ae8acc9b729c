package pyjson

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Options select between the json.dumps behaviours IntelMQ uses. The zero
// value is IntelMQ's event serialisation, json.dumps(obj, sort_keys=True,
// ensure_ascii=False); set EnsureASCII for a bare json.dumps(obj).
type Options struct {
	// EnsureASCII escapes all non-ASCII characters (ensure_ascii=True).
	EnsureASCII bool
	// Compact uses separators=(",", ":") instead of (", ", ": ").
	Compact bool
	// DisallowNaN makes NaN and ±Inf an error (allow_nan=False) instead of
	// writing NaN, Infinity and -Infinity.
	DisallowNaN bool
}

// BigInt is an integer that does not fit in int64, kept as its exact decimal
// text (-?(0|[1-9][0-9]*)) so that it survives a read/write cycle unchanged.
// Python ints are unbounded, and IntelMQ passes such values through.
type BigInt string

// maxWriteDepth bounds the nesting [Append] follows; Go values can be
// cyclic (a map that contains itself) where Python would report
// "Circular reference detected".
const maxWriteDepth = 10000

// Append appends the JSON encoding of v like Python's json.dumps with
// sort_keys=True and the given options. v may be nil, bool, int, int64,
// float64, string, BigInt, []any or map[string]any (recursively); other
// types are an error. It needs no reflection and serves as the reference
// for the faster hand-written encoders built on [Writer].
//
// Keys are sorted by code point (byte order of their UTF-8). Keys with
// invalid UTF-8 are sorted by the U+FFFD-replaced text that is written, so
// the output is sorted as Python would sort it; distinct invalid keys may
// thereby be written as duplicates.
func Append(dst []byte, v any, opts Options) ([]byte, error) {
	return appendValue(dst, v, &opts, 0)
}

func appendValue(dst []byte, v any, o *Options, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return AppendNull(dst), nil
	case bool:
		return AppendBool(dst, v), nil
	case int:
		return AppendInt(dst, int64(v)), nil
	case int64:
		return AppendInt(dst, v), nil
	case float64:
		if o.DisallowNaN {
			return AppendFloatStrict(dst, v)
		}
		return AppendFloat(dst, v), nil
	case string:
		return AppendString(dst, v, o.EnsureASCII), nil
	case BigInt:
		if !IsInt(string(v)) {
			return dst, fmt.Errorf("pyjson: BigInt %q is not a decimal integer", string(v))
		}
		return append(dst, v...), nil
	case []any:
		if depth >= maxWriteDepth {
			return dst, errTooDeep
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = appendItemSep(dst, o.Compact)
			}
			var err error
			if dst, err = appendValue(dst, e, o, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		if depth >= maxWriteDepth {
			return dst, errTooDeep
		}
		return appendMap(dst, v, o, depth)
	default:
		return dst, fmt.Errorf("pyjson: cannot encode value of type %T", v)
	}
}

var errTooDeep = errors.New("pyjson: nesting too deep (circular reference?)")

func appendMap(dst []byte, m map[string]any, o *Options, depth int) ([]byte, error) {
	type member struct{ out, key string }
	ms := make([]member, 0, len(m))
	for k := range m {
		// Sort by what is written, which differs from k only for invalid
		// UTF-8 (toValidUTF8 returns k itself otherwise, no allocation).
		ms = append(ms, member{toValidUTF8(k), k})
	}
	slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.out, b.out) })
	dst = append(dst, '{')
	for i, mb := range ms {
		if i > 0 {
			dst = appendItemSep(dst, o.Compact)
		}
		dst = AppendString(dst, mb.out, o.EnsureASCII)
		dst = appendKeySep(dst, o.Compact)
		var err error
		if dst, err = appendValue(dst, m[mb.key], o, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendItemSep(dst []byte, compact bool) []byte {
	if compact {
		return append(dst, ',')
	}
	return append(dst, ',', ' ')
}

func appendKeySep(dst []byte, compact bool) []byte {
	if compact {
		return append(dst, ':')
	}
	return append(dst, ':', ' ')
}

// IsInt reports whether s is a JSON integer: -?(0|[1-9][0-9]*).
func IsInt(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Writer builds a JSON document in Buf, inserting Python's separators so
// that hand-written encoders need no reflection and cannot get the ", " and
// ": " placement wrong. It does not sort keys: for sort_keys=True output the
// caller writes keys in ascending byte order (sort.Strings order), which is
// Python's code point order. It also does not check that calls are properly
// nested; Begin/End pairing is the caller's job.
//
// Write errors (only NaN/Inf with Options.DisallowNaN) are sticky and
// reported by [Writer.Err].
type Writer struct {
	// Buf receives the output; it may be preset to append to a buffer.
	Buf []byte
	// Options select the json.dumps flavour; the zero value is IntelMQ's.
	Options Options

	needSep bool // a value was completed at the current level
	err     error
}

// Reset empties Buf (keeping its capacity) and clears the state and error,
// so one Writer can be reused for many documents without allocating.
func (w *Writer) Reset() {
	w.Buf = w.Buf[:0]
	w.needSep = false
	w.err = nil
}

// Err returns the first error met while writing, if any.
func (w *Writer) Err() error { return w.err }

func (w *Writer) sep() {
	if w.needSep {
		w.Buf = appendItemSep(w.Buf, w.Options.Compact)
	}
}

// BeginObject writes '{'.
func (w *Writer) BeginObject() {
	w.sep()
	w.Buf = append(w.Buf, '{')
	w.needSep = false
}

// EndObject writes '}'.
func (w *Writer) EndObject() {
	w.Buf = append(w.Buf, '}')
	w.needSep = true
}

// BeginArray writes '['.
func (w *Writer) BeginArray() {
	w.sep()
	w.Buf = append(w.Buf, '[')
	w.needSep = false
}

// EndArray writes ']'.
func (w *Writer) EndArray() {
	w.Buf = append(w.Buf, ']')
	w.needSep = true
}

// Key writes an object key and the key separator; the member's value must
// be written next.
func (w *Writer) Key(k string) {
	w.sep()
	w.Buf = AppendString(w.Buf, k, w.Options.EnsureASCII)
	w.Buf = appendKeySep(w.Buf, w.Options.Compact)
	w.needSep = false
}

// String writes a string value.
func (w *Writer) String(s string) {
	w.sep()
	w.Buf = AppendString(w.Buf, s, w.Options.EnsureASCII)
	w.needSep = true
}

// Int writes an integer value.
func (w *Writer) Int(n int64) {
	w.sep()
	w.Buf = AppendInt(w.Buf, n)
	w.needSep = true
}

// Float writes a float value like float.__repr__. NaN and ±Inf are written
// as NaN, Infinity and -Infinity, or, with Options.DisallowNaN, written as
// null and recorded as [ErrNaN] in Err so the document stays well-formed.
func (w *Writer) Float(f float64) {
	w.sep()
	if w.Options.DisallowNaN && (math.IsNaN(f) || math.IsInf(f, 0)) {
		if w.err == nil {
			w.err = ErrNaN
		}
		w.Buf = AppendNull(w.Buf)
	} else {
		w.Buf = AppendFloat(w.Buf, f)
	}
	w.needSep = true
}

// Bool writes true or false.
func (w *Writer) Bool(b bool) {
	w.sep()
	w.Buf = AppendBool(w.Buf, b)
	w.needSep = true
}

// Null writes null.
func (w *Writer) Null() {
	w.sep()
	w.Buf = AppendNull(w.Buf)
	w.needSep = true
}

// Raw writes raw, which must already be one complete JSON value (for
// example from [Decoder.RawValue]); it is copied unchecked, which lets a
// value be passed through without decoding it.
func (w *Writer) Raw(raw string) {
	w.sep()
	w.Buf = append(w.Buf, raw...)
	w.needSep = true
}

// Value writes v as [Append] does, with the Writer's options.
func (w *Writer) Value(v any) {
	w.sep()
	var err error
	w.Buf, err = appendValue(w.Buf, v, &w.Options, 0)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.needSep = true
}
