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

func eventAcc(f *Field) *accessor[Event]   { return f.ev }
func reportAcc(f *Field) *accessor[Report] { return f.rp }

// Get returns the value of the named field and whether it is set.
func (e *Event) Get(name string) (any, bool) { return get(e, &e.Extra, name, byName, eventAcc) }

// Has reports whether the named field is set.
func (e *Event) Has(name string) bool { _, ok := e.Get(name); return ok }

// Set sanitizes v and stores it in the named field, replacing what was there.
// nil and "" unset the field. For a multi-valued field, v may be one value or
// a slice of values. An invalid value leaves the event unchanged and returns
// a *FieldError.
func (e *Event) Set(name string, v any) error { return set(e, &e.Extra, name, v, false, byName, eventAcc) }

// Append adds v (one value or a slice) to a multi-valued field, leaving out
// values the field already holds. On a single-valued field it sets the value
// if the field is unset and fails if it is set, as IntelMQ's add does.
func (e *Event) Append(name string, v any) error {
	return set(e, &e.Extra, name, v, true, byName, eventAcc)
}

// Delete unsets the named field and reports whether it was set.
func (e *Event) Delete(name string) bool { return del(e, &e.Extra, name, byName, eventAcc) }

// Range calls fn for every set field in name order, extra values one by one
// as "extra.NAME", until fn returns false.
func (e *Event) Range(fn func(name string, v any) bool) { rangeFields(e, e.Extra, registry, eventAcc, fn) }

// Get returns the value of the named report field and whether it is set.
func (r *Report) Get(name string) (any, bool) {
	return get(r, &r.Extra, name, reportsByName, reportAcc)
}

// Has reports whether the named report field is set.
func (r *Report) Has(name string) bool { _, ok := r.Get(name); return ok }

// Set sanitizes v and stores it in the named report field (see Event.Set).
func (r *Report) Set(name string, v any) error {
	return set(r, &r.Extra, name, v, false, reportsByName, reportAcc)
}

// Append sets the named report field if it is unset (see Event.Append).
func (r *Report) Append(name string, v any) error {
	return set(r, &r.Extra, name, v, true, reportsByName, reportAcc)
}

// Delete unsets the named report field and reports whether it was set.
func (r *Report) Delete(name string) bool { return del(r, &r.Extra, name, reportsByName, reportAcc) }

// Range calls fn for every set report field in name order (see Event.Range).
func (r *Report) Range(fn func(name string, v any) bool) {
	rangeFields(r, r.Extra, reportFields, reportAcc, fn)
}

// extraKey returns NAME for "extra.NAME".
func extraKey(name string) (string, bool) {
	if k, ok := strings.CutPrefix(name, "extra."); ok {
		return k, true
	}
	return "", false
}

func get[R any](r *R, x *Extra, name string, fields map[string]*Field, pick func(*Field) *accessor[R]) (any, bool) {
	if k, ok := extraKey(name); ok {
		v, ok := (*x)[k]
		return v, ok
	}
	f, ok := fields[name]
	if !ok {
		return nil, false
	}
	return pick(f).get(r)
}

func del[R any](r *R, x *Extra, name string, fields map[string]*Field, pick func(*Field) *accessor[R]) bool {
	if k, ok := extraKey(name); ok {
		_, had := (*x)[k]
		delete(*x, k)
		return had
	}
	f, ok := fields[name]
	if !ok {
		return false
	}
	a := pick(f)
	had := a.has(r)
	a.clear(r)
	return had
}

func rangeFields[R any](r *R, x Extra, fields []*Field, pick func(*Field) *accessor[R], fn func(string, any) bool) {
	for _, f := range fields {
		if f.st == stExtra {
			for _, k := range x.Keys() {
				if !fn("extra."+k, x[k]) {
					return
				}
			}
			continue
		}
		if v, ok := pick(f).get(r); ok && !fn(f.Name, v) {
			return
		}
	}
}

func set[R any](r *R, x *Extra, name string, v any, add bool, fields map[string]*Field, pick func(*Field) *accessor[R]) error {
	if k, ok := extraKey(name); ok {
		return setExtra(x, k, v, add)
	}
	f, ok := fields[name]
	if !ok {
		return unknownField(name)
	}
	return setField(r, f, pick(f), v, add)
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
		*x = Extra{}
	}
	(*x)[key] = val
	return nil
}

func setField[R any](r *R, f *Field, a *accessor[R], v any, add bool) error {
	if v == nil || v == "" {
		if !add {
			a.clear(r)
		}
		return nil
	}
	if add && !f.Multi && a.has(r) {
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
		*a.str(r) = c
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
		p := a.strs(r)
		if add {
			vals = append(slices.Clone(*p), vals...)
		}
		*p = uniq(vals)
	case stInt:
		n, err := asInt(f, v)
		if err != nil {
			return err
		}
		*a.i(r) = &n
	case stInts:
		ns, err := asInts(f, v)
		if err != nil {
			return err
		}
		p := a.is(r)
		if add {
			ns = append(slices.Clone(*p), ns...)
		}
		*p = uniq(ns)
	case stFloat:
		x, err := asFloat(f, v)
		if err != nil {
			return err
		}
		*a.f(r) = &x
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
		*a.b(r) = &b
	case stTime:
		var t time.Time
		switch v := v.(type) {
		case time.Time:
			t = normTime(v)
		case *time.Time:
			t = normTime(*v)
		case string:
			var err error
			if t, err = sanitizeTimeText(f, v); err != nil {
				return err
			}
		default:
			return typeErr(f, v)
		}
		*a.t(r) = &t
	case stBytes:
		// Text is the raw data itself (IntelMQ's add("raw", line)
		// encodes it), not base64; the flat JSON decoder handles base64.
		switch v := v.(type) {
		case []byte:
			*a.raw(r) = slices.Clone(v)
		case string:
			*a.raw(r) = []byte(v)
		default:
			return typeErr(f, v)
		}
	case stExtra:
		var m Extra
		switch v := v.(type) {
		case Extra:
			m = v.Clone()
		case map[string]Value:
			m = Extra(v).Clone()
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
		for k, e := range m {
			if err := checkExtraKey(k); err != nil {
				return fieldErr("extra."+k, k, err)
			}
			if err := checkExtraValue(e); err != nil {
				return fieldErr("extra."+k, e.Text(), err)
			}
		}
		p := a.x(r)
		if add {
			for k := range m {
				if _, exists := (*p)[k]; exists {
					return fieldErr("extra."+k, m[k].Text(), fmt.Errorf("already set"))
				}
			}
			if *p == nil {
				*p = Extra{}
			}
			for k, e := range m {
				(*p)[k] = e
			}
			return nil
		}
		*p = m
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
