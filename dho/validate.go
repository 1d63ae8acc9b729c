package dho

import (
	"errors"
	"fmt"
	"strings"
)

// Validate checks that every value in e is valid and canonical, as if it had
// been set through Set: for events built by assigning struct fields, and for
// events decoded from Avro, which (for speed) does not sanitize. It returns
// every problem joined, each a *FieldError.
func (e *Event) Validate() error { return e.view().validate() }

// Validate checks every value in r (see Event.Validate).
func (r *Report) Validate() error { return r.view().validate() }

func (w view) validate() error {
	var errs []error
	for _, f := range w.info().fields {
		p := w.at(f)
		if !p.has(f.st) {
			continue
		}
		if err := validateSlot(p, f); err != nil {
			errs = append(errs, err)
		}
	}
	for k, v := range *w.extra {
		name := "extra." + k
		if err := checkExtraKey(k); err != nil {
			errs = append(errs, fieldErr(name, k, err))
		} else if f, ok := strings.CutPrefix(k, dhoExtraPrefix); ok && byName[f] != nil {
			errs = append(errs, fieldErr(name, k, fmt.Errorf("extra name %q is reserved for the DHO field %s", k, f)))
		} else if err := checkExtraValue(v); err != nil {
			errs = append(errs, fieldErr(name, v.Text(), err))
		}
	}
	return errors.Join(errs...)
}

func validateSlot(p slotPtr, f *Field) error {
	canonical := func(s string) error {
		c, err := sanitizeText(f, s)
		if err != nil {
			return err
		}
		if c != s {
			return fieldErr(f.Name, s, fmt.Errorf("%q is not in canonical form (%q)", s, c))
		}
		return nil
	}
	switch f.st {
	case stString:
		return canonical(*p.str())
	case stStrings:
		vs := *p.strs()
		for i, s := range vs {
			if err := canonical(s); err != nil {
				return err
			}
			for _, prev := range vs[:i] {
				if prev == s {
					return fieldErr(f.Name, s, fmt.Errorf("%q is repeated", s))
				}
			}
		}
	case stInt:
		_, err := sanitizeInt(f, **p.i())
		return err
	case stInts:
		vs := *p.is()
		for i, n := range vs {
			if _, err := sanitizeInt(f, n); err != nil {
				return err
			}
			for _, prev := range vs[:i] {
				if prev == n {
					return fieldErr(f.Name, n, fmt.Errorf("%d is repeated", n))
				}
			}
		}
	case stFloat:
		_, err := sanitizeFloat(f, **p.f())
		return err
	case stTime:
		if t := **p.t(); !normTime(t).Equal(t) || t.Location() != normTime(t).Location() {
			return fieldErr(f.Name, t, fmt.Errorf("%v is not UTC at microsecond precision", t))
		} else if err := checkTimeRange(f, t); err != nil {
			return err
		}
	case stBytes:
		if len(*p.raw()) == 0 {
			return fieldErr(f.Name, "", fmt.Errorf("empty data: leave the field unset instead"))
		}
	}
	return nil
}
