package dho

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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
	typ, fields, x := w.info().typeName, w.info().byName, w.extra
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
				if f, known := fields[name]; known && f.st != stExtra {
					vals, isList, err := readScalars(d, key, buf[:0])
					if err != nil {
						return err
					}
					buf = vals
					if f.IntelMQ && f.Multi {
						more = append(more, pendingMore{f: f, vals: append([]scalar(nil), vals...)})
						continue
					}
					if err := setScalars(w.at(f), f, vals, isList, false); err != nil {
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
				*x = make(Extra, 4)
			}
			(*x)[k] = v
			continue
		}
		f, known := fields[key]
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
		if err := setScalars(w.at(f), f, vals, isList, false); err != nil {
			return err
		}
	}
	if err := d.End(); err != nil {
		return err
	}
	for _, m := range more {
		if err := setScalars(w.at(m.f), m.f, m.vals, true, true); err != nil {
			return err
		}
	}
	return nil
}

// readScalars reads one scalar or a list of scalars, appending to out.
func readScalars(d *pyjson.Decoder, key string, out []scalar) ([]scalar, bool, error) {
	if d.Kind() != pyjson.Array {
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
func setScalars(p slotPtr, f *Field, vals []scalar, isList, add bool) error {
	if isList && !f.Multi {
		return fieldErr(f.Name, "[...]", fmt.Errorf("%s holds one value, not a list", f.Name))
	}
	if len(vals) == 1 && vals[0].kind == pyjson.Null && !isList {
		p.clear(f.st)
		return nil
	}
	switch f.st {
	case stStrings:
		out := make([]string, 0, len(vals))
		if add {
			out = append(out, *p.strs()...)
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
		out := make([]int64, 0, len(vals))
		if add {
			out = append(out, *p.is()...)
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
		*p.i() = &n
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
		*p.f() = &x
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
		*p.b() = &b
	case stTime:
		if v.kind != pyjson.String {
			return kindErr(f, v)
		}
		t, err := sanitizeTimeText(f, v.text)
		if err != nil {
			return err
		}
		*p.t() = &t
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
