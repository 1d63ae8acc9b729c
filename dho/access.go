package dho

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Access by dotted name. Get returns plain Go data of these types, by
// storage: string; []string (multi-valued text fields); int64; []int64;
// float64; bool; time.Time; []byte (raw); Extra ("extra"); Value
// ("extra.NAME"). Set and Append accept the same types and, for every field,
// text, which is sanitized as IntelMQ sanitizes it (so "AS64496" sets an ASN
// and "2024-01-02 03:04:05" a DateTime).

// Get returns the value of the named field and whether it is set.
func (e *Event) Get(name string) (any, bool) { return e.view().get(name) }

// Has reports whether the named field is set.
func (e *Event) Has(name string) bool { return e.view().has(name) }

// Set sanitizes v and stores it in the named field, replacing what was there.
// nil and "" unset the field. For a multi-valued field, v may be one value or
// a slice of values. An invalid value leaves the event unchanged and returns
// a *FieldError.
func (e *Event) Set(name string, v any) error { return e.view().set(name, v, false) }

// Append adds v (one value or a slice) to a multi-valued field, leaving out
// values the field already holds. On a single-valued field it sets the value
// if the field is unset and fails if it is set, as IntelMQ's add does.
func (e *Event) Append(name string, v any) error { return e.view().set(name, v, true) }

// Delete unsets the named field and reports whether it was set.
func (e *Event) Delete(name string) bool { return e.view().del(name) }

// Range calls fn for every set field in name order, extra values one by one
// as "extra.NAME", until fn returns false.
func (e *Event) Range(fn func(name string, v any) bool) { e.view().rangeFields(fn) }

// Get returns the value of the named report field and whether it is set.
func (r *Report) Get(name string) (any, bool) { return r.view().get(name) }

// Has reports whether the named report field is set.
func (r *Report) Has(name string) bool { return r.view().has(name) }

// Set sanitizes v and stores it in the named report field (see Event.Set).
func (r *Report) Set(name string, v any) error { return r.view().set(name, v, false) }

// Append sets the named report field if it is unset (see Event.Append).
func (r *Report) Append(name string, v any) error { return r.view().set(name, v, true) }

// Delete unsets the named report field and reports whether it was set.
func (r *Report) Delete(name string) bool { return r.view().del(name) }

// Range calls fn for every set report field in name order (see Event.Range).
func (r *Report) Range(fn func(name string, v any) bool) { r.view().rangeFields(fn) }

// extraKey returns NAME for "extra.NAME".
func extraKey(name string) (string, bool) {
	if k, ok := strings.CutPrefix(name, "extra."); ok {
		return k, true
	}
	return "", false
}

func (w view) get(name string) (any, bool) {
	if k, ok := extraKey(name); ok {
		v, ok := (*w.extra)[k]
		return v, ok
	}
	f, ok := w.info().byName[name]
	if !ok {
		return nil, false
	}
	return w.at(f).get(f.st)
}

func (w view) has(name string) bool {
	if k, ok := extraKey(name); ok {
		_, ok := (*w.extra)[k]
		return ok
	}
	f, ok := w.info().byName[name]
	return ok && w.at(f).has(f.st)
}

func (w view) del(name string) bool {
	if k, ok := extraKey(name); ok {
		_, had := (*w.extra)[k]
		delete(*w.extra, k)
		return had
	}
	f, ok := w.info().byName[name]
	if !ok {
		return false
	}
	p := w.at(f)
	had := p.has(f.st)
	p.clear(f.st)
	return had
}

func (w view) rangeFields(fn func(string, any) bool) {
	for _, f := range w.info().fields {
		if f.st == stExtra {
			x := *w.extra
			for _, k := range x.Keys() {
				if !fn("extra."+k, x[k]) {
					return
				}
			}
			continue
		}
		if v, ok := w.at(f).get(f.st); ok && !fn(f.Name, v) {
			return
		}
	}
}

func (w view) set(name string, v any, add bool) error {
	if k, ok := extraKey(name); ok {
		return setExtra(w.extra, k, v, add)
	}
	f, ok := w.info().byName[name]
	if !ok {
		return unknownField(name)
	}
	return setField(w.at(f), f, v, add)
}

func setExtra(x *Extra, key string, v any, add bool) error {
	name := "extra." + key
	if err := checkExtraKey(key); err != nil {
		return fieldErr(name, key, err)
	}
	if f, ok := strings.CutPrefix(key, dhoExtraPrefix); ok && byName[f] != nil {
		return fieldErr(name, key, fmt.Errorf("extra name %q is reserved for the DHO field %s in IntelMQ's flat form", key, f))
	}
	if v == nil {
		if !add {
			delete(*x, key)
		}
		return nil
	}
	val, err := ValueOf(v)
	if err != nil {
		return fieldErr(name, v, err)
	}
	if err := checkExtraValue(val); err != nil {
		return fieldErr(name, v, err)
	}
	if _, exists := (*x)[key]; add && exists {
		return fieldErr(name, v, fmt.Errorf("already set"))
	}
	if *x == nil {
		*x = MakeExtra(0)
	}
	(*x)[key] = val.clone()
	return nil
}

func setField(p slotPtr, f *Field, v any, add bool) error {
	if v == nil || v == "" {
		if !add {
			p.clear(f.st)
		}
		return nil
	}
	if add && !f.Multi && p.has(f.st) {
		return fieldErr(f.Name, v, fmt.Errorf("already set"))
	}
	switch f.st {
	case stString:
		s, ok := asText(v)
		if !ok {
			return typeErr(f, v)
		}
		c, err := sanitizeText(f, s)
		if err != nil {
			return err
		}
		*p.str() = c
	case stStrings:
		items, ok := asTexts(v)
		if !ok {
			return typeErr(f, v)
		}
		vals := make([]string, 0, len(items))
		for _, s := range items {
			if s == "" {
				continue
			}
			c, err := sanitizeText(f, s)
			if err != nil {
				return err
			}
			vals = append(vals, c)
		}
		if add {
			vals = append(slices.Clone(*p.strs()), vals...)
		}
		*p.strs() = uniq(vals)
	case stInt:
		n, err := asInt(f, v)
		if err != nil {
			return err
		}
		*p.i() = &n
	case stInts:
		ns, err := asInts(f, v)
		if err != nil {
			return err
		}
		if add {
			ns = append(slices.Clone(*p.is()), ns...)
		}
		*p.is() = uniq(ns)
	case stFloat:
		x, err := asFloat(f, v)
		if err != nil {
			return err
		}
		*p.f() = &x
	case stBool:
		var b bool
		switch v := v.(type) {
		case bool:
			b = v
		case string:
			var err error
			if b, err = sanitizeBoolText(f, v); err != nil {
				return err
			}
		default:
			return typeErr(f, v)
		}
		*p.b() = &b
	case stTime:
		var t time.Time
		switch v := v.(type) {
		case time.Time:
			t = normTime(v)
		case *time.Time:
			if v == nil {
				p.clear(f.st)
				return nil
			}
			t = normTime(*v)
		case string:
			var err error
			if t, err = sanitizeTimeText(f, v); err != nil {
				return err
			}
		default:
			return typeErr(f, v)
		}
		if err := checkTimeRange(f, t); err != nil {
			return err
		}
		*p.t() = &t
	case stBytes:
		// Text is the raw data itself (IntelMQ's add("raw", line)
		// encodes it), not base64; the flat JSON decoder handles base64.
		// Empty data is no data, as IntelMQ ignores empty values.
		switch v := v.(type) {
		case []byte:
			if len(v) == 0 {
				p.clear(f.st)
				return nil
			}
			*p.raw() = slices.Clone(v)
		case string:
			*p.raw() = []byte(v)
		default:
			return typeErr(f, v)
		}
	case stExtra:
		var m Extra
		switch v := v.(type) {
		case Extra:
			m = make(Extra, len(v))
			for k, e := range v {
				if err := setExtra(&m, k, e, false); err != nil {
					return err
				}
			}
		case map[string]Value:
			return setField(p, f, Extra(v), add)
		case map[string]any:
			m = make(Extra, len(v))
			for k, e := range v {
				if err := setExtra(&m, k, e, false); err != nil {
					return err
				}
			}
		default:
			return typeErr(f, v)
		}
		x := p.extra()
		if add {
			for k := range m {
				if _, exists := (*x)[k]; exists {
					return fieldErr("extra."+k, m[k].Text(), fmt.Errorf("already set"))
				}
			}
			if *x == nil {
				*x = Extra{}
			}
			for k, e := range m {
				(*x)[k] = e
			}
			return nil
		}
		*x = m
	}
	return nil
}

func typeErr(f *Field, v any) error {
	return fieldErr(f.Name, v, fmt.Errorf("a Go %T cannot hold a %s value", v, f.Type))
}

// uniq drops repeated values, keeping the first of each; nil for none.
func uniq[T comparable](vs []T) []T {
	if len(vs) == 0 {
		return nil
	}
	out := vs[:0]
	for i, v := range vs {
		if !slices.Contains(vs[:i], v) {
			out = append(out, v)
		}
	}
	return out
}

// asText accepts strings and values that print themselves (netip.Addr,
// *url.URL, ...).
func asText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case fmt.Stringer:
		return v.String(), true
	}
	return "", false
}

func asTexts(v any) ([]string, bool) {
	switch v := v.(type) {
	case []string:
		return v, true
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := asText(e)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	if s, ok := asText(v); ok {
		return []string{s}, true
	}
	return nil, false
}

func asInt(f *Field, v any) (int64, error) {
	var n int64
	switch v := v.(type) {
	case string:
		return sanitizeIntText(f, v)
	case int:
		n = int64(v)
	case int8:
		n = int64(v)
	case int16:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case uint8:
		n = int64(v)
	case uint16:
		n = int64(v)
	case uint32:
		n = int64(v)
	case uint:
		if uint64(v) > math.MaxInt64 {
			return 0, fieldErr(f.Name, v, fmt.Errorf("%d is too large", v))
		}
		n = int64(v)
	case uint64:
		if v > math.MaxInt64 {
			return 0, fieldErr(f.Name, v, fmt.Errorf("%d is too large", v))
		}
		n = int64(v)
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, fieldErr(f.Name, v, fmt.Errorf("%v is not an integer", v))
		}
		n = int64(v)
	default:
		return 0, typeErr(f, v)
	}
	return sanitizeInt(f, n)
}

func asInts(f *Field, v any) ([]int64, error) {
	var items []any
	switch v := v.(type) {
	case []int64:
		for _, n := range v {
			items = append(items, n)
		}
	case []int:
		for _, n := range v {
			items = append(items, n)
		}
	case []string:
		for _, s := range v {
			items = append(items, s)
		}
	case []any:
		items = v
	default:
		items = []any{v}
	}
	out := make([]int64, 0, len(items))
	for _, it := range items {
		if it == "" || it == nil {
			continue
		}
		n, err := asInt(f, it)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func asFloat(f *Field, v any) (float64, error) {
	switch v := v.(type) {
	case string:
		return sanitizeFloatText(f, v)
	case float64:
		return sanitizeFloat(f, v)
	case float32:
		return sanitizeFloat(f, float64(v))
	case int:
		return sanitizeFloat(f, float64(v))
	case int64:
		return sanitizeFloat(f, float64(v))
	case int32:
		return sanitizeFloat(f, float64(v))
	}
	return 0, typeErr(f, v)
}

// SetText is Set for a value given as text (as parsers read it): the text is
// sanitized for the field's type, so "AS64496" sets an ASN and
// "2024-01-02 03:04:05" a DateTime. It avoids Set's conversion of the value
// to an interface, which matters on the hot path of a parser.
func (e *Event) SetText(name, text string) error {
	if f, ok := byName[name]; ok {
		return setText(e.view().at(f), f, text, false)
	}
	return e.view().set(name, text, false)
}

// FieldRef is a field looked up once by name, for code that sets the same
// fields on many events (a parser's columns): it skips the name lookup.
type FieldRef struct{ f *Field }

// Ref returns a reference to the named field (not an extra name).
func Ref(name string) (FieldRef, bool) {
	f, ok := byName[name]
	return FieldRef{f}, ok
}

// Name returns the field's dotted name.
func (r FieldRef) Name() string { return r.f.Name }

// Has reports whether the field is set in e.
func (r FieldRef) Has(e *Event) bool { return e.view().at(r.f).has(r.f.st) }

// SetText sanitizes text for the field and stores it in e (see Event.SetText).
func (r FieldRef) SetText(e *Event, text string) error {
	return setText(e.view().at(r.f), r.f, text, false)
}

// AppendText adds a value given as text (see Event.Append).
func (r FieldRef) AppendText(e *Event, text string) error {
	return setText(e.view().at(r.f), r.f, text, true)
}

// Set sanitizes v and stores it in e (see Event.Set).
func (r FieldRef) Set(e *Event, v any) error { return setField(e.view().at(r.f), r.f, v, false) }

// SetInt is Set for an integer, without boxing it in an interface (the
// hot path of parsers that read numbers): integer fields, one value or a
// list, take it as Set would; other fields take Set's own path.
func (r FieldRef) SetInt(e *Event, n int64) error {
	p := e.view().at(r.f)
	switch r.f.st {
	case stInt:
		v, err := sanitizeInt(r.f, n)
		if err != nil {
			return err
		}
		*p.i() = &v
		return nil
	case stInts:
		v, err := sanitizeInt(r.f, n)
		if err != nil {
			return err
		}
		*p.is() = []int64{v}
		return nil
	}
	return r.Set(e, n)
}

// SetTime is Set for a time, without boxing it in an interface.
func (r FieldRef) SetTime(e *Event, t time.Time) error {
	if r.f.st != stTime {
		return r.Set(e, t)
	}
	t = normTime(t)
	if err := checkTimeRange(r.f, t); err != nil {
		return err
	}
	*e.view().at(r.f).t() = &t
	return nil
}

// Type returns the field's type.
func (r FieldRef) Type() Type { return r.f.Type }

// Copy makes the field of dst what it is in src: a deep copy of its value,
// or unset when src does not hold it. The value was sanitized when it was
// stored in src, so a parser can sanitize a value that is the same for
// every event (a constant, the feed's name) once, into a template event,
// and copy it from there.
func (r FieldRef) Copy(dst, src *Event) {
	p, q := dst.view().at(r.f), src.view().at(r.f)
	p.assign(q, r.f.st)
	p.own(r.f.st)
}

// setText is setField for text, without boxing it.
func setText(p slotPtr, f *Field, s string, add bool) error {
	if s == "" {
		if !add {
			p.clear(f.st)
		}
		return nil
	}
	if add && !f.Multi && p.has(f.st) {
		return fieldErr(f.Name, s, fmt.Errorf("already set"))
	}
	switch f.st {
	case stString:
		c, err := sanitizeText(f, s)
		if err != nil {
			return err
		}
		*p.str() = c
		return nil
	case stStrings:
		c, err := sanitizeText(f, s)
		if err != nil {
			return err
		}
		vs := *p.strs()
		if !add {
			vs = vs[:0]
		} else if slices.Contains(vs, c) {
			return nil
		}
		*p.strs() = append(vs, c)
		return nil
	case stInt:
		n, err := sanitizeIntText(f, s)
		if err != nil {
			return err
		}
		*p.i() = &n
		return nil
	case stInts:
		n, err := sanitizeIntText(f, s)
		if err != nil {
			return err
		}
		vs := *p.is()
		if !add {
			vs = vs[:0]
		} else if slices.Contains(vs, n) {
			return nil
		}
		*p.is() = append(vs, n)
		return nil
	case stFloat:
		x, err := sanitizeFloatText(f, s)
		if err != nil {
			return err
		}
		*p.f() = &x
		return nil
	case stBool:
		b, err := sanitizeBoolText(f, s)
		if err != nil {
			return err
		}
		*p.b() = &b
		return nil
	case stTime:
		t, err := sanitizeTimeText(f, s)
		if err != nil {
			return err
		}
		if err := checkTimeRange(f, t); err != nil {
			return err
		}
		*p.t() = &t
		return nil
	}
	return setField(p, f, s, add)
}
