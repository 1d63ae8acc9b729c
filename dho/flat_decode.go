package dho

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/internal/pyjson"
)

// UnmarshalFlat replaces e with the event held by the flat object s (either
// FlatMode, see the flat form), sanitizing every value. A key that is no
// field, a "__type" other than Event, or an invalid value fails the whole
// object with an error naming the key (a *FieldError for values).
func (e *Event) UnmarshalFlat(s string) error {
	*e = Event{}
	return e.view().decodeFlat(s)
}

// UnmarshalJSON is UnmarshalFlat.
func (e *Event) UnmarshalJSON(b []byte) error { return e.UnmarshalFlat(string(b)) }

// UnmarshalFlat replaces r with the report held by the flat object s.
func (r *Report) UnmarshalFlat(s string) error {
	*r = Report{}
	return r.view().decodeFlat(s)
}

// UnmarshalJSON is UnmarshalFlat.
func (r *Report) UnmarshalJSON(b []byte) error { return r.UnmarshalFlat(string(b)) }

// ParseEvent decodes one flat JSON event.
func ParseEvent(b []byte) (*Event, error) {
	e := new(Event)
	if err := e.UnmarshalFlat(string(b)); err != nil {
		return nil, err
	}
	return e, nil
}

// ParseReport decodes one flat JSON report.
func ParseReport(b []byte) (*Report, error) {
	r := new(Report)
	if err := r.UnmarshalFlat(string(b)); err != nil {
		return nil, err
	}
	return r, nil
}

// scalar is one JSON value that is not a container: its kind and its text
// (a string's content, a number's literal).
type scalar struct {
	kind pyjson.Kind
	text string
}

// pendingMore is the second and further values of a multi-valued field read
// from "extra.dho.NAME"; they are appended after the whole object is read,
// because that key sorts before the field's own.
type pendingMore struct {
	f    *Field
	vals []scalar
}

func (w view) decodeFlat(s string) error {
	typ, fields, x := w.info().typeName, fieldIndexes()[w.kind], w.extra
	// sl holds the values of pointer and list fields, allocated together
	// when the first one is set.
	var sl *slab
	d := pyjson.NewDecoder(s)
	if err := d.BeginObject(); err != nil {
		return fmt.Errorf("flat %s: %w", strings.ToLower(typ), err)
	}
	var more []pendingMore
	// buf holds the values of the current key; reused across keys so that
	// a typical object costs no allocation here.
	buf := make([]scalar, 0, 8)
	for {
		key, ok, err := d.NextMember()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if key == "__type" {
			t, err := d.String()
			if err != nil {
				return fmt.Errorf("__type: %w", err)
			}
			if t != typ {
				return fieldErr("__type", t, fmt.Errorf("__type is %q, want %q", t, typ))
			}
			continue
		}
		if k, isExtra := extraKey(key); isExtra {
			if name, isDHO := strings.CutPrefix(k, dhoExtraPrefix); isDHO {
				if f, known := fields.lookup(name); known && f.st != stExtra {
					vals, isList, err := readScalars(d, key, buf[:0])
					if err != nil {
						return err
					}
					buf = vals
					if f.IntelMQ && f.Multi {
						more = append(more, pendingMore{f: f, vals: append([]scalar(nil), vals...)})
						continue
					}
					if err := setScalars(w.at(f), f, vals, isList, false, &sl); err != nil {
						return err
					}
					continue
				}
			}
			if err := checkExtraKey(k); err != nil {
				return fieldErr(key, k, err)
			}
			v, err := readValue(d, 0)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if err := checkExtraValue(v); err != nil {
				return fieldErr(key, v.Text(), err)
			}
			if *x == nil {
				*x = MakeExtra(4)
			}
			(*x)[k] = v
			continue
		}
		f, known := fields.lookup(key)
		if !known {
			if err := d.Skip(); err != nil {
				return err
			}
			return unknownField(key)
		}
		if f.st == stExtra {
			if err := readExtraField(d, x); err != nil {
				return fieldErr(key, "", err)
			}
			continue
		}
		vals, isList, err := readScalars(d, key, buf[:0])
		if err != nil {
			return err
		}
		buf = vals
		if err := setScalars(w.at(f), f, vals, isList, false, &sl); err != nil {
			return err
		}
	}
	if err := d.End(); err != nil {
		return err
	}
	for _, m := range more {
		if err := setScalars(w.at(m.f), m.f, m.vals, true, true, &sl); err != nil {
			return err
		}
	}
	return nil
}

// readScalars reads one scalar or a list of scalars, appending to out.
func readScalars(d *pyjson.Decoder, key string, out []scalar) ([]scalar, bool, error) {
	switch d.Kind() {
	case pyjson.String: // the usual case, without readScalar's second look
		s, err := d.String()
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", key, err)
		}
		return append(out, scalar{kind: pyjson.String, text: s}), false, nil
	case pyjson.Array:
	default:
		sc, err := readScalar(d)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", key, err)
		}
		return append(out, sc), false, nil
	}
	if err := d.BeginArray(); err != nil {
		return nil, true, err
	}
	for {
		ok, err := d.NextElem()
		if err != nil {
			return nil, true, err
		}
		if !ok {
			return out, true, nil
		}
		sc, err := readScalar(d)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, sc)
	}
}

func readScalar(d *pyjson.Decoder) (scalar, error) {
	switch k := d.Kind(); k {
	case pyjson.String:
		s, err := d.String()
		return scalar{kind: k, text: s}, err
	case pyjson.Number:
		raw, _, err := d.Number()
		return scalar{kind: k, text: raw}, err
	case pyjson.True, pyjson.False:
		b, err := d.Bool()
		return scalar{kind: k, text: strconv.FormatBool(b)}, err
	case pyjson.Null:
		return scalar{kind: k}, d.Null()
	case pyjson.Object, pyjson.Array:
		return scalar{}, fmt.Errorf("a field value cannot be a JSON %s", k)
	}
	// Let the decoder say what is wrong with the input.
	_, err := d.RawValue()
	if err == nil {
		err = fmt.Errorf("no value")
	}
	return scalar{}, err
}

// readExtraField reads the "extra" key itself: an object, or (IntelMQ before
// 1.1 and its jsondict_as_string option) a string holding a JSON object.
func readExtraField(d *pyjson.Decoder, x *Extra) error {
	if d.Kind() == pyjson.String {
		s, err := d.String()
		if err != nil {
			return err
		}
		inner := pyjson.NewDecoder(s)
		v, err := readValue(inner, 0)
		if err != nil {
			return err
		}
		if err := inner.End(); err != nil {
			return err
		}
		return mergeExtra(x, v)
	}
	v, err := readValue(d, 0)
	if err != nil {
		return err
	}
	return mergeExtra(x, v)
}

func mergeExtra(x *Extra, v Value) error {
	m, ok := v.Object()
	if !ok {
		return fmt.Errorf("extra must be a JSON object, not a %s", v.Kind())
	}
	if *x == nil {
		*x = make(Extra, len(m))
	}
	for k, e := range m {
		if err := checkExtraKey(k); err != nil {
			return err
		}
		if err := checkExtraValue(e); err != nil {
			return err
		}
		(*x)[k] = e
	}
	return nil
}

const maxValueDepth = 512

// readValue reads any JSON value into a Value.
func readValue(d *pyjson.Decoder, depth int) (Value, error) {
	if depth > maxValueDepth {
		return Value{}, fmt.Errorf("nested deeper than %d levels", maxValueDepth)
	}
	switch k := d.Kind(); k {
	case pyjson.String:
		s, err := d.String()
		return String(s), err
	case pyjson.Number:
		raw, isInt, err := d.Number()
		if err != nil {
			return Value{}, err
		}
		if isInt {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return Int(n), nil // what BigInt gives, without checking raw again
			}
			return BigInt(raw)
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil && !isRangeErr(err) {
			return Value{}, fmt.Errorf("number %s: %w", raw, err)
		}
		return Float(f), nil
	case pyjson.True:
		_, err := d.Bool()
		return Bool(true), err
	case pyjson.False:
		_, err := d.Bool()
		return Bool(false), err
	case pyjson.Null:
		return Null(), d.Null()
	case pyjson.Array:
		if err := d.BeginArray(); err != nil {
			return Value{}, err
		}
		list := []Value{}
		for {
			ok, err := d.NextElem()
			if err != nil {
				return Value{}, err
			}
			if !ok {
				return List(list...), nil
			}
			v, err := readValue(d, depth+1)
			if err != nil {
				return Value{}, err
			}
			list = append(list, v)
		}
	case pyjson.Object:
		if err := d.BeginObject(); err != nil {
			return Value{}, err
		}
		m := map[string]Value{}
		for {
			key, ok, err := d.NextMember()
			if err != nil {
				return Value{}, err
			}
			if !ok {
				return Object(m), nil
			}
			v, err := readValue(d, depth+1)
			if err != nil {
				return Value{}, err
			}
			m[key] = v
		}
	}
	_, err := d.RawValue()
	if err == nil {
		err = fmt.Errorf("no value")
	}
	return Value{}, err
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// setScalars stores values read from JSON in field f. A list is refused for
// a single-valued field; null unsets. With add, the values are appended.
// The values of pointer and list fields are kept in *sl (see slab).
func setScalars(p slotPtr, f *Field, vals []scalar, isList, add bool, sl **slab) error {
	if isList && !f.Multi {
		return fieldErr(f.Name, "[...]", fmt.Errorf("%s holds one value, not a list", f.Name))
	}
	if len(vals) == 1 && vals[0].kind == pyjson.Null && !isList {
		p.clear(f.st)
		return nil
	}
	switch f.st {
	case stStrings:
		var out []string
		if add {
			out = append(make([]string, 0, len(*p.strs())+len(vals)), *p.strs()...)
		} else {
			out = slabFor(sl).strList(len(vals))
		}
		for _, v := range vals {
			c, err := scalarText(f, v)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		*p.strs() = uniq(out)
		return nil
	case stInts:
		var out []int64
		if add {
			out = append(make([]int64, 0, len(*p.is())+len(vals)), *p.is()...)
		} else {
			out = slabFor(sl).intList(len(vals))
		}
		for _, v := range vals {
			n, err := scalarInt(f, v)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		*p.is() = uniq(out)
		return nil
	}
	v := vals[0]
	switch f.st {
	case stString:
		c, err := scalarText(f, v)
		if err != nil {
			return err
		}
		*p.str() = c
	case stInt:
		n, err := scalarInt(f, v)
		if err != nil {
			return err
		}
		*p.i() = slabFor(sl).int(n)
	case stFloat:
		var x float64
		var err error
		switch v.kind {
		case pyjson.Number:
			x, err = strconv.ParseFloat(v.text, 64)
			if err != nil {
				return fieldErr(f.Name, v.text, fmt.Errorf("%s is not a float", v.text))
			}
			x, err = sanitizeFloat(f, x)
		case pyjson.String:
			x, err = sanitizeFloatText(f, v.text)
		default:
			return kindErr(f, v)
		}
		if err != nil {
			return err
		}
		*p.f() = slabFor(sl).float(x)
	case stBool:
		var b bool
		switch v.kind {
		case pyjson.True, pyjson.False:
			b = v.kind == pyjson.True
		case pyjson.String:
			var err error
			if b, err = sanitizeBoolText(f, v.text); err != nil {
				return err
			}
		default:
			return kindErr(f, v)
		}
		*p.b() = slabFor(sl).bool(b)
	case stTime:
		if v.kind != pyjson.String {
			return kindErr(f, v)
		}
		t, err := sanitizeTimeText(f, v.text)
		if err != nil {
			return err
		}
		*p.t() = slabFor(sl).time(t)
	case stBytes:
		if v.kind != pyjson.String {
			return kindErr(f, v)
		}
		b, err := sanitize.Base64Decode(v.text)
		if err != nil {
			return fieldErr(f.Name, v.text, err)
		}
		if len(b) == 0 {
			b = nil // empty data is no data
		}
		*p.raw() = b
	}
	return nil
}

// slab holds the values that the pointer and list fields of one decoded
// object point to, so that they cost one allocation rather than one each
// (a typical event has two times, an ASN, an accuracy, a port, an IP, a
// URL). Every field gets elements of its own, and a list a sub-slice
// capped at its own elements, so that writing through one field (or
// appending to it) never changes another. What does not fit is allocated
// on its own.
type slab struct {
	t          [2]time.Time
	s          [4]string
	i          [4]int64
	f          [2]float64
	b          [2]bool
	nt, ns, ni uint8
	nf, nb     uint8
}

// slabFor returns *sl, allocating it first if need be.
func slabFor(sl **slab) *slab {
	if *sl == nil {
		*sl = new(slab)
	}
	return *sl
}

// strList returns an empty slice with room for n strings.
func (s *slab) strList(n int) []string {
	if k := int(s.ns); n <= len(s.s)-k {
		s.ns += uint8(n)
		return s.s[k : k : k+n]
	}
	return make([]string, 0, n)
}

// intList returns an empty slice with room for n integers.
func (s *slab) intList(n int) []int64 {
	if k := int(s.ni); n <= len(s.i)-k {
		s.ni += uint8(n)
		return s.i[k : k : k+n]
	}
	return make([]int64, 0, n)
}

func (s *slab) int(n int64) *int64          { return slabSlot(s.i[:], &s.ni, n) }
func (s *slab) float(x float64) *float64    { return slabSlot(s.f[:], &s.nf, x) }
func (s *slab) bool(b bool) *bool           { return slabSlot(s.b[:], &s.nb, b) }
func (s *slab) time(t time.Time) *time.Time { return slabSlot(s.t[:], &s.nt, t) }

// slabSlot stores v in the next free element of arr (*used counts them)
// and returns it, or, when arr is full, in an allocation of its own.
func slabSlot[T any](arr []T, used *uint8, v T) *T {
	if int(*used) == len(arr) {
		p := new(T) // not &v, which would move v to the heap on every call
		*p = v
		return p
	}
	p := &arr[*used]
	*used++
	*p = v
	return p
}

func kindErr(f *Field, v scalar) error {
	kind := v.kind.String()
	if v.kind == pyjson.True || v.kind == pyjson.False {
		kind = "boolean"
	}
	return fieldErr(f.Name, v.text, fmt.Errorf("a JSON %s cannot hold a %s value", kind, f.Type))
}

// scalarText sanitizes a JSON string (or the literal of a number, which
// IntelMQ's sanitizers turn into text) for a text field.
func scalarText(f *Field, v scalar) (string, error) {
	if v.kind != pyjson.String && v.kind != pyjson.Number {
		return "", kindErr(f, v)
	}
	return sanitizeText(f, v.text)
}

func scalarInt(f *Field, v scalar) (int64, error) {
	switch v.kind {
	case pyjson.String:
		return sanitizeIntText(f, v.text)
	case pyjson.Number:
		if n, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return sanitizeInt(f, n)
		}
		x, err := strconv.ParseFloat(v.text, 64)
		if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fieldErr(f.Name, v.text, fmt.Errorf("%s is not an integer", v.text))
		}
		return sanitizeInt(f, int64(x))
	}
	return 0, kindErr(f, v)
}

// fieldIndex finds a record type's fields by name, faster than a map for
// the dozen or so lookups of every decoded object: a name's first and last
// eight bytes and its length are mixed by a multiplier, chosen when the
// index is built so that no two fields share a slot, and the slot's field
// is the answer when its name is the name looked up.
type fieldIndex struct {
	mult   uint64
	shift  uint
	slots  []*Field // nil: this record type uses its map
	byName map[string]*Field
}

// fieldIndexes holds the index of each record type, built on first use
// (after the field table's init).
var fieldIndexes = sync.OnceValue(func() [2]*fieldIndex {
	return [2]*fieldIndex{newFieldIndex(recs[recEvent]), newFieldIndex(recs[recReport])}
})

func newFieldIndex(info *recInfo) *fieldIndex {
	x := &fieldIndex{byName: info.byName}
	size := 1
	for size < 4*len(info.fields) {
		size <<= 1
	}
	rng := uint64(0x9e3779b97f4a7c15)
	for try := 0; try < 4096; try++ {
		if try%1024 == 1023 {
			size <<= 1
		}
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		x.mult, x.shift = rng|1, uint(64-bits.TrailingZeros(uint(size)))
		slots := make([]*Field, size)
		ok := true
		for _, f := range info.fields {
			h := x.hash(f.Name)
			if slots[h] != nil {
				ok = false
				break
			}
			slots[h] = f
		}
		if ok {
			x.slots = slots
			return x
		}
	}
	return x // no collision-free multiplier: use the map
}

func (x *fieldIndex) hash(name string) uint64 {
	var head, tail uint64
	if n := len(name); n >= 8 {
		head, tail = load64(name, 0), load64(name, n-8)
	} else {
		for i := 0; i < n; i++ {
			head |= uint64(name[i]) << (8 * i)
		}
	}
	return ((head ^ bits.RotateLeft64(tail, 29) ^ uint64(len(name))) * x.mult) >> x.shift
}

// lookup returns the field called name.
func (x *fieldIndex) lookup(name string) (*Field, bool) {
	if x.slots == nil {
		f, ok := x.byName[name]
		return f, ok
	}
	if f := x.slots[x.hash(name)]; f != nil && f.Name == name {
		return f, true
	}
	return nil, false
}

// load64 reads 8 bytes of s at i as a little-endian word (one load once
// the compiler merges them).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
