package parsers

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/pyjson"
)

// NewEvent starts an event from report: it copies the report fields that
// IntelMQ copies into every event a parser makes (feed.accuracy, feed.code,
// feed.documentation, feed.name, feed.provider, feed.url, rtir_id and
// time.observation), and then the report fields named in copyFields, as
// IntelMQ's copy_collector_provided_fields parameter does (extra.file_name,
// say). A copyFields name the report does not hold is skipped.
//
// The event comes from dho.AcquireEvent: whoever receives it from the
// parser may hand it back with dho.ReleaseEvent once done with it (the
// parser node does, after the runtime encoded it).
func NewEvent(report *dho.Report, copyFields ...string) (*dho.Event, error) {
	if report == nil {
		return dho.AcquireEvent(), nil
	}
	ev := dho.AcquireEvent()
	ev.Feed = report.Feed
	ev.Feed.Accuracy = clonePtr(report.Feed.Accuracy)
	ev.RTIRID = clonePtr(report.RTIRID)
	ev.Time.Observation = clonePtr(report.Time.Observation)
	for _, name := range copyFields {
		v, ok := report.Get(name)
		if !ok {
			continue
		}
		if err := ev.Set(name, v); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Overwrite says what Add does when the field already holds a value. The
// three values are those of the overwrite argument of IntelMQ's
// Message.add.
type Overwrite uint8

const (
	// Refuse fails with ErrKeyExists (IntelMQ's default, overwrite=None).
	Refuse Overwrite = iota
	// Keep leaves the value there and adds nothing (overwrite=False).
	Keep
	// Replace replaces the value; an ignored value (see Ignored) removes
	// it (overwrite=True).
	Replace
)

// ErrKeyExists is wrapped by the error of Add when the field is set and
// the Overwrite mode is Refuse.
var ErrKeyExists = errors.New("field already set")

// Ignored reports whether IntelMQ ignores v when it is added to a field:
// nil, and the texts "", "-" and "N/A", which feeds use for "no value".
func Ignored(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return ignoredText(v)
	}
	return false
}

// ignoredText is Ignored for text.
func ignoredText(s string) bool { return s == "" || s == "-" || s == "N/A" }

// Add sets the field name of ev to v the way IntelMQ's Message.add does:
// ignored values (see Ignored) add nothing, a field already set is handled
// as ow says, and v is sanitized for the field's type. A number or boolean
// given for a text field is written as Python's str() writes it, as
// IntelMQ does; zero and false are no text, as in IntelMQ.
//
// It reports whether the value was added. An unknown field name gives an
// error wrapping dho.ErrUnknownField (IntelMQ's InvalidKey); a refused
// value gives a *dho.FieldError (IntelMQ's InvalidValue).
func Add(ev *dho.Event, name string, v any, ow Overwrite) (bool, error) {
	if ow != Replace && ev.Has(name) {
		if ow == Keep {
			return false, nil
		}
		return false, &dho.FieldError{Field: name, Value: fmt.Sprint(v), Err: ErrKeyExists}
	}
	if Ignored(v) {
		if ow == Replace {
			ev.Delete(name)
		}
		return false, nil
	}
	return set(ev, name, v)
}

// AddUnset is Add for a field the caller knows to be unset (no other step
// of the parser sets it), which saves looking.
func AddUnset(ev *dho.Event, name string, v any) (bool, error) {
	if Ignored(v) {
		return false, nil
	}
	return set(ev, name, v)
}

// AddText is Add with Refuse (or, with unset, AddUnset) for a value given
// as text, without boxing it in an interface: the hot path of parsers that
// read text columns.
func AddText(ev *dho.Event, name, text string, unset bool) (bool, error) {
	if !unset && ev.Has(name) {
		return false, &dho.FieldError{Field: name, Value: text, Err: ErrKeyExists}
	}
	if ignoredText(text) {
		return false, nil
	}
	if err := ev.SetText(name, text); err != nil {
		return false, err
	}
	return true, nil
}

// AddTextRef is AddText for a field looked up once (see dho.Ref): the hot
// path of parsers that map columns to fields.
func AddTextRef(ev *dho.Event, ref dho.FieldRef, text string, unset bool) (bool, error) {
	if !unset && ref.Has(ev) {
		return false, &dho.FieldError{Field: ref.Name(), Value: text, Err: ErrKeyExists}
	}
	if ignoredText(text) {
		return false, nil
	}
	if err := ref.SetText(ev, text); err != nil {
		return false, err
	}
	return true, nil
}

// AddRef is Add with Refuse (or, with unset, AddUnset) for a field looked
// up once (see dho.Ref).
func AddRef(ev *dho.Event, ref dho.FieldRef, v any, unset bool) (bool, error) {
	if !unset && ref.Has(ev) {
		return false, &dho.FieldError{Field: ref.Name(), Value: fmt.Sprint(v), Err: ErrKeyExists}
	}
	if Ignored(v) {
		return false, nil
	}
	if s, isText := v.(string); isText {
		if err := ref.SetText(ev, s); err != nil {
			return false, err
		}
		return true, nil
	}
	v, err := textForType(ref.Name(), ref.Type(), v)
	if err != nil {
		return false, err
	}
	if err := ref.Set(ev, v); err != nil {
		return false, err
	}
	return true, nil
}

// AddIntRef is AddRef for an integer, without boxing it when the field
// holds integers.
func AddIntRef(ev *dho.Event, ref dho.FieldRef, n int64, unset bool) (bool, error) {
	if t := ref.Type(); t != dho.TypeInteger && t != dho.TypeASN {
		return AddRef(ev, ref, n, unset)
	}
	if !unset && ref.Has(ev) {
		return false, &dho.FieldError{Field: ref.Name(), Value: strconv.FormatInt(n, 10), Err: ErrKeyExists}
	}
	if err := ref.SetInt(ev, n); err != nil {
		return false, err
	}
	return true, nil
}

// AddTimeRef is AddRef for a time, without boxing it when the field holds
// times.
func AddTimeRef(ev *dho.Event, ref dho.FieldRef, t time.Time, unset bool) (bool, error) {
	if ref.Type() != dho.TypeDateTime {
		return AddRef(ev, ref, t, unset)
	}
	if !unset && ref.Has(ev) {
		return false, &dho.FieldError{Field: ref.Name(), Value: fmt.Sprint(t), Err: ErrKeyExists}
	}
	if err := ref.SetTime(ev, t); err != nil {
		return false, err
	}
	return true, nil
}

func set(ev *dho.Event, name string, v any) (bool, error) {
	if s, isText := v.(string); isText {
		// The text path of dho: no second boxing, no slice rebuilt.
		if err := ev.SetText(name, s); err != nil {
			return false, err
		}
		return true, nil
	}
	{
		var err error
		if v, err = textForField(name, v); err != nil {
			return false, err
		}
	}
	if err := ev.Set(name, v); err != nil {
		return false, err
	}
	return true, nil
}

// textForField turns a number or boolean into text when field name holds
// text, as IntelMQ's str(value); other values are returned unchanged.
func textForField(name string, v any) (any, error) {
	f, ok := dho.LookupField(name)
	if !ok {
		return v, nil
	}
	return textForType(name, f.Type, v)
}

// textForType is textForField for a field of type t.
func textForType(name string, t dho.Type, v any) (any, error) {
	switch t {
	case dho.TypeInteger, dho.TypeASN, dho.TypeFloat, dho.TypeAccuracy, dho.TypeBoolean,
		dho.TypeDateTime, dho.TypeJSONDict, dho.TypeBase64:
		return v, nil
	}
	var s string
	switch v := v.(type) {
	case int64:
		s = strconv.FormatInt(v, 10)
		if v == 0 {
			s = ""
		}
	case int:
		s = strconv.Itoa(v)
		if v == 0 {
			s = ""
		}
	case float64:
		s = string(pyjson.AppendFloat(nil, v))
		if v == 0 {
			s = ""
		}
	case bool:
		s = "True"
		if !v {
			s = ""
		}
	default:
		return v, nil
	}
	if s == "" {
		return nil, &dho.FieldError{Field: name, Value: fmt.Sprint(v), Err: errors.New("a zero or false value is no text")}
	}
	return s, nil
}
