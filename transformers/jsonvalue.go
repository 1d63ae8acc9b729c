package transformers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
)

// ValueOfJSON turns one JSON document into a DHO extra value that keeps its
// kinds: integers stay integers (beyond 64 bits by their digits), other
// numbers floats.
func ValueOfJSON(raw []byte) (dho.Value, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return dho.Value{}, err
	}
	if _, err := d.Token(); err != io.EOF {
		return dho.Value{}, fmt.Errorf("data after the JSON value")
	}
	return valueOf(x)
}

// ValueOfGo turns a Go value (a struct of a foreign format's field, say)
// into a DHO extra value through its JSON form.
func ValueOfGo(x any) (dho.Value, error) {
	raw, err := json.Marshal(x)
	if err != nil {
		return dho.Value{}, err
	}
	return ValueOfJSON(raw)
}

func valueOf(x any) (dho.Value, error) {
	switch x := x.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			return dho.BigInt(s)
		}
		f, err := x.Float64()
		if err != nil {
			return dho.Value{}, err
		}
		return dho.Float(f), nil
	case []any:
		vs := make([]dho.Value, len(x))
		for i, e := range x {
			v, err := valueOf(e)
			if err != nil {
				return dho.Value{}, err
			}
			vs[i] = v
		}
		return dho.List(vs...), nil
	case map[string]any:
		m := make(map[string]dho.Value, len(x))
		for k, e := range x {
			v, err := valueOf(e)
			if err != nil {
				return dho.Value{}, err
			}
			m[k] = v
		}
		return dho.Object(m), nil
	}
	return dho.ValueOf(x)
}

// DecodeValue reads a DHO extra value into ptr (a pointer to a foreign
// format's field) through its JSON form; it fails when the value does not
// have the field's type.
func DecodeValue(v dho.Value, ptr any) error {
	raw, err := v.MarshalJSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, ptr)
}

// TimeLayout is how IDEA and n6 timestamps are written: RFC 3339 in UTC,
// with the fraction of a second only where there is one (DHO keeps
// microseconds).
const TimeLayout = "2006-01-02T15:04:05.999999Z07:00"

// FormatTime writes t as TimeLayout says, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads an RFC 3339 timestamp as IDEA and n6 allow it: "T", "t"
// or a space between date and time, an optional fraction, "Z", "z", an
// offset, or no zone at all (taken as UTC, as both formats' producers mean
// it). The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	if len(s) < 19 {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	b := []byte(s)
	switch b[10] {
	case 'T', 't', ' ':
		b[10] = 'T'
	default:
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	if last := b[len(b)-1]; last == 'z' {
		b[len(b)-1] = 'Z'
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		// No zone: UTC.
		t2, err2 := time.Parse("2006-01-02T15:04:05.999999999", string(b))
		if err2 != nil {
			return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
		}
		t = t2
	}
	return t.UTC(), nil
}

// Time is a timestamp of a foreign format: written as FormatTime does, read
// as ParseTime does.
type Time struct{ time.Time }

// MarshalJSON writes the time as an RFC 3339 string in UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + FormatTime(t.Time) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 string (see ParseTime).
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a timestamp must be a string, not %s", b)
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// TimeOf returns a *Time holding t, nil for nil.
func TimeOf(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	return &Time{*t}
}
