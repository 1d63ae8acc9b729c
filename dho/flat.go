package dho

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/internal/pyjson"
)

// The flat form is IntelMQ's JSON form of an event: one object with dotted
// keys ("source.ip"), extra values as "extra.NAME" keys, raw in base64 and
// the message type in "__type". It is written exactly as IntelMQ writes it
// (Python's json.dumps with sorted keys: ", " and ": " separators, its string
// escaping, its float repr), so that files, queues and outputs interoperate
// byte for byte.
//
// DHO 2.0 holds more than IntelMQ can: fields IntelMQ lacks, and several
// values in multi-valued fields. FlatMode says how those are written:
//
//   - FlatIntelMQ (the default) writes only what an IntelMQ 3 bot accepts.
//     A field IntelMQ lacks is written as "extra.dho.NAME" (e.g.
//     "extra.dho.id", "extra.dho.tags"). A multi-valued field writes its
//     first value under its own name, as IntelMQ's single value, and the
//     other values, as a JSON list, under "extra.dho.NAME" (e.g. "source.ip":
//     "192.0.2.1", "extra.dho.source.ip": ["192.0.2.2"]). IntelMQ bots carry
//     these extra keys along untouched.
//   - FlatDHO writes every field under its own name; a multi-valued field
//     with several values is a JSON list, with one value a plain value.
//
// Decoding reads both modes (and the mix of them), so a flat object written
// in either mode decodes to the same Event: flat → Event → flat is lossless.
// Extra names "dho.FIELD" are therefore reserved.

// FlatMode selects how DHO 2.0's additions appear in the flat form.
type FlatMode uint8

const (
	// FlatIntelMQ writes what IntelMQ 3 bots accept (see the flat form).
	FlatIntelMQ FlatMode = iota
	// FlatDHO writes every field under its own name, lists for several values.
	FlatDHO
)

// FlatOptions says how to write the flat form. The zero value writes
// IntelMQ's form with "__type", as IntelMQ's pipeline and dumps carry it.
type FlatOptions struct {
	Mode FlatMode
	// OmitType leaves out "__type", as IntelMQ's file output does by default.
	OmitType bool
	// ASCII escapes every non-ASCII character as \uXXXX, as Python's
	// json.dumps does by default (IntelMQ's pipeline messages); otherwise
	// non-ASCII text is written as UTF-8 (IntelMQ's outputs).
	ASCII bool
}

const dhoExtraPrefix = "dho."

// slot is one position in the sorted key order of the flat form: a field, or
// the block of extra keys.
type slot struct {
	f      *Field
	extras bool
}

func initFlat() {
	for _, ri := range recs {
		for mode := FlatIntelMQ; mode <= FlatDHO; mode++ {
			ri.slots[mode] = buildSlots(ri.fields, mode)
		}
	}
	for k, ri := range recs {
		for _, f := range ri.fields {
			if f.st != stExtra && (!f.IntelMQ || f.Multi) {
				dhoFields[k] = append(dhoFields[k], f)
				dhoKeys[k] = append(dhoKeys[k], dhoExtraPrefix+f.Name)
			}
		}
	}
}

// buildSlots orders the fields written under their own name by key, with the
// extra block where "extra." sorts.
func buildSlots(fields []*Field, mode FlatMode) []slot {
	var out []slot
	for _, f := range fields {
		if f.st == stExtra || (mode == FlatIntelMQ && !f.IntelMQ) {
			continue
		}
		out = append(out, slot{f: f})
	}
	out = append(out, slot{extras: true})
	slices.SortStableFunc(out, func(a, b slot) int { return strings.Compare(a.key(), b.key()) })
	return out
}

func (s slot) key() string {
	if s.extras {
		return "extra."
	}
	return s.f.Name
}

// flatWriter appends one flat object.
type flatWriter struct {
	buf   []byte
	ascii bool
	first bool
}

func (w *flatWriter) key(k string) {
	if w.first {
		w.first = false
	} else {
		w.buf = append(w.buf, ", "...)
	}
	w.buf = pyjson.AppendString(w.buf, k, w.ascii)
	w.buf = append(w.buf, ": "...)
}

func (w *flatWriter) str(s string) { w.buf = pyjson.AppendString(w.buf, s, w.ascii) }

// extraEntry is one key of the extra block with its writer.
type extraEntry struct {
	key   string // the name after "extra."
	value Value  // a user extra, or
	f     *Field
	from  int // for a DHO field: write its values from this index on
}

// AppendFlat appends the event's flat form to dst.
func (e *Event) AppendFlat(dst []byte, o FlatOptions) []byte {
	return e.view().appendFlat(dst, o)
}

// MarshalFlat returns the event's flat form.
func (e *Event) MarshalFlat(o FlatOptions) []byte { return e.AppendFlat(make([]byte, 0, 512), o) }

// MarshalJSON returns the IntelMQ flat form with "__type".
func (e *Event) MarshalJSON() ([]byte, error) { return e.MarshalFlat(FlatOptions{}), nil }

// AppendFlat appends the report's flat form to dst.
func (r *Report) AppendFlat(dst []byte, o FlatOptions) []byte {
	return r.view().appendFlat(dst, o)
}

// MarshalFlat returns the report's flat form.
func (r *Report) MarshalFlat(o FlatOptions) []byte { return r.AppendFlat(make([]byte, 0, 512), o) }

// MarshalJSON returns the IntelMQ flat form with "__type".
func (r *Report) MarshalJSON() ([]byte, error) { return r.MarshalFlat(FlatOptions{}), nil }

func (v view) appendFlat(dst []byte, o FlatOptions) []byte {
	ri := v.info()
	w := flatWriter{buf: append(dst, '{'), ascii: o.ASCII, first: true}
	if !o.OmitType {
		w.key("__type")
		w.str(ri.typeName)
	}
	for _, s := range ri.slots[o.Mode&1] {
		if s.extras {
			w.extras(v, o.Mode)
			continue
		}
		p := v.at(s.f)
		if !p.has(s.f.st) {
			continue
		}
		w.key(s.f.Name)
		if o.Mode == FlatIntelMQ && s.f.Multi {
			w.values(p, s.f, 0, 1)
		} else {
			w.values(p, s.f, 0, -1)
		}
	}
	return append(w.buf, '}')
}

// extras writes the extra block: the user's extra values and, in IntelMQ
// mode, the DHO additions, all sorted by key.
func (w *flatWriter) extras(v view, mode FlatMode) {
	x := *v.extra
	// The keys are sorted on the stack (no allocation, no write barrier)
	// unless there are very many.
	var arr [16]extraEntry
	entries := arr[:0]
	if mode == FlatIntelMQ {
		entries = appendDHOExtras(entries, v)
	}
	for k, val := range x {
		entries = append(entries, extraEntry{key: k, value: val})
	}
	if len(entries) > 1 {
		slices.SortFunc(entries, func(a, b extraEntry) int { return strings.Compare(a.key, b.key) })
	}
	for i := range entries {
		en := &entries[i]
		w.extraKey(en.key)
		if en.f == nil {
			w.buf = en.value.appendJSON(w.buf, w.ascii)
			continue
		}
		w.values(v.at(en.f), en.f, en.from, -1)
	}
}

// extraKey writes the key "extra." + k; names as DHO checks them need no
// escaping.
func (w *flatWriter) extraKey(k string) {
	if !plainKey(k) {
		w.key("extra." + k)
		return
	}
	if w.first {
		w.first = false
	} else {
		w.buf = append(w.buf, ", "...)
	}
	w.buf = append(w.buf, `"extra.`...)
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, `": `...)
}

// plainKey reports whether k needs no escaping in JSON (printable ASCII
// other than the quote and the backslash).
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// dhoFields are the fields whose values may travel under extra.dho in
// IntelMQ's form: the fields IntelMQ lacks and the multi-valued ones.
var dhoFields [2][]*Field

// dhoKeys are their names under extra, "dho." + the field's name.
var dhoKeys [2][]string

// appendDHOExtras appends the DHO additions an IntelMQ-mode object
// carries as extra keys: fields IntelMQ lacks, and the second and further
// values of multi-valued fields.
func appendDHOExtras(out []extraEntry, v view) []extraEntry {
	for i, f := range dhoFields[v.kind] {
		p := v.at(f)
		switch {
		case !f.IntelMQ:
			if p.has(f.st) {
				out = append(out, extraEntry{key: dhoKeys[v.kind][i], f: f})
			}
		case p.count(f.st) > 1:
			out = append(out, extraEntry{key: dhoKeys[v.kind][i], f: f, from: 1})
		}
	}
	return out
}

// values writes the field's values from index from on: one plain value when
// limit is 1 or the field holds exactly one value (from 0), a list otherwise
// (so the rest of a multi-valued field, from 1, is always a list).
func (w *flatWriter) values(p slotPtr, f *Field, from, limit int) {
	switch f.st {
	case stString:
		w.str(*p.str())
	case stStrings:
		vs := *p.strs()
		if limit == 1 || (from == 0 && len(vs) == 1) {
			w.str(vs[from])
			return
		}
		w.buf = append(w.buf, '[')
		for i := from; i < len(vs); i++ {
			if i > from {
				w.buf = append(w.buf, ", "...)
			}
			w.str(vs[i])
		}
		w.buf = append(w.buf, ']')
	case stInt:
		w.buf = pyjson.AppendInt(w.buf, **p.i())
	case stInts:
		vs := *p.is()
		if limit == 1 || (from == 0 && len(vs) == 1) {
			w.buf = pyjson.AppendInt(w.buf, vs[from])
			return
		}
		w.buf = append(w.buf, '[')
		for i := from; i < len(vs); i++ {
			if i > from {
				w.buf = append(w.buf, ", "...)
			}
			w.buf = pyjson.AppendInt(w.buf, vs[i])
		}
		w.buf = append(w.buf, ']')
	case stFloat:
		w.buf = pyjson.AppendFloat(w.buf, **p.f())
	case stBool:
		w.buf = pyjson.AppendBool(w.buf, **p.b())
	case stTime:
		w.buf = append(w.buf, '"')
		w.buf = appendISOTime(w.buf, **p.t())
		w.buf = append(w.buf, '"')
	case stBytes:
		w.buf = append(w.buf, '"')
		w.buf = base64.StdEncoding.AppendEncode(w.buf, *p.raw())
		w.buf = append(w.buf, '"')
	default:
		panic(fmt.Sprintf("dho: field %s cannot be written as a plain value", f.Name))
	}
}

// appendISOTime appends t as Python's datetime.isoformat() of an aware UTC
// datetime: 2006-01-02T15:04:05+00:00, with .ffffff when there are
// microseconds.
func appendISOTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		dst = appendDigits(dst, us, 6)
	}
	return append(dst, "+00:00"...)
}

func appendDigits(dst []byte, n, width int) []byte {
	var b [8]byte
	i := len(b)
	for n > 0 || width > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	return append(dst, b[i:]...)
}

// appendJSON appends v in Python's json.dumps form: objects with sorted keys.
func (v Value) appendJSON(dst []byte, ascii bool) []byte {
	switch v.kind {
	case KindNull:
		return append(dst, "null"...)
	case KindString:
		return pyjson.AppendString(dst, v.str, ascii)
	case KindInt:
		if v.str != "" {
			return append(dst, v.str...)
		}
		return pyjson.AppendInt(dst, int64(v.num))
	case KindFloat:
		return pyjson.AppendFloat(dst, math.Float64frombits(v.num))
	case KindBool:
		return pyjson.AppendBool(dst, v.num == 1)
	case KindList:
		dst = append(dst, '[')
		for i, e := range v.items() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = e.appendJSON(dst, ascii)
		}
		return append(dst, ']')
	case KindObject:
		dst = append(dst, '{')
		for i, k := range sortedKeys(v.members()) {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = pyjson.AppendString(dst, k, ascii)
			dst = append(dst, ": "...)
			dst = v.members()[k].appendJSON(dst, ascii)
		}
		return append(dst, '}')
	}
	return dst
}

// MarshalJSON writes the value as Python's json.dumps would.
func (v Value) MarshalJSON() ([]byte, error) { return v.appendJSON(nil, false), nil }
