package jsonv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// ErrMissing is wrapped by the error of Key for a member that is not
// there (Python's KeyError), ErrType for a value of the wrong kind
// (Python's TypeError).
var (
	ErrMissing = errors.New("missing key")
	ErrType    = errors.New("wrong kind of value")
)

// Key is Python's d[key]: the member key of the object v, or an error when
// v is no object or has no such member.
func (v Value) Key(key string) (Value, error) {
	if v.Kind != Object {
		return Value{}, fmt.Errorf("%w: %s has no member %q, it is no object", ErrType, v.Kind, key)
	}
	e, ok := v.Get(key)
	if !ok {
		return Value{}, fmt.Errorf("%w %q", ErrMissing, key)
	}
	return e, nil
}

// DHO converts v into a value of an extra field, which keeps its kind.
func (v Value) DHO() dho.Value {
	switch v.Kind {
	case Bool:
		return dho.Bool(v.B)
	case Int:
		if v.Big != "" {
			if b, err := dho.BigInt(v.Big); err == nil {
				return b
			}
		}
		return dho.Int(v.N)
	case Float:
		return dho.Float(v.F)
	case String:
		return dho.String(v.S)
	case Array:
		out := make([]dho.Value, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = e.DHO()
		}
		return dho.List(out...)
	case Object:
		m := make(map[string]dho.Value, len(v.Keys))
		for i, k := range v.Keys {
			m[k] = v.Elems[i].DHO()
		}
		return dho.Object(m)
	}
	return dho.Null()
}

func isExtra(name string) bool { return strings.HasPrefix(name, "extra.") }

// forField returns v as Add hands it to parsers.Add for field name.
func (v Value) forField(name string) any {
	switch v.Kind {
	case Null:
		return nil
	case String:
		return v.S
	case Bool:
		return v.B
	case Int:
		if v.Big != "" {
			if isExtra(name) {
				return v.DHO()
			}
			return v.Big
		}
		return v.N
	case Float:
		return v.F
	}
	if isExtra(name) {
		return v.DHO()
	}
	if f, ok := dho.LookupField(name); ok {
		switch f.Type {
		case dho.TypeString, dho.TypeLowercaseString, dho.TypeUppercaseString:
			// IntelMQ's String sanitation turns any other value into
			// its str().
			return v.PyStr()
		}
	}
	return v.DHO() // refused by the field's type
}

// Add adds v to field name of ev as IntelMQ's Message.add does with a value
// of json.loads (see parsers.Add): null and the ignored texts add nothing,
// extra fields keep the value's kind, text fields take numbers and
// containers as Python's str() writes them, and a name that is no field of
// IntelMQ's (see IntelMQField) gives an error wrapping dho.ErrUnknownField
// (IntelMQ's InvalidKey).
func Add(ev *dho.Event, name string, v Value, ow parsers.Overwrite) (bool, error) {
	if name == "extra" {
		return AddExtra(ev, v, ow)
	}
	x := v.forField(name)
	if !isExtra(name) && !IntelMQField(name) {
		// IntelMQ looks at the key only after it has ignored the value.
		if parsers.Ignored(x) {
			return false, nil
		}
		return false, &dho.FieldError{Field: name, Value: v.PyStr(),
			Err: fmt.Errorf("%w %q: IntelMQ's harmonization has no such field", dho.ErrUnknownField, name)}
	}
	return parsers.Add(ev, name, x, ow)
}

// IntelMQField reports whether name is a field of IntelMQ's harmonization
// other than extra: the keys IntelMQ's parsers can set. DHO's own fields
// (tags, notification.*, ...) are not, so that an IntelMQ-compatible
// parser refuses them, or files them under extra, as IntelMQ does.
func IntelMQField(name string) bool {
	f, ok := dho.LookupField(name)
	return ok && f.IntelMQ
}

// ErrEmptyExtra is the reason AddExtra refuses an empty object, as
// IntelMQ's JSONDict does.
var ErrEmptyExtra = errors.New("extra must be a non-empty object")

// AddExtra is IntelMQ's add("extra", dict): every member of the object v
// becomes the field extra.KEY, null and empty values included. IntelMQ
// refuses an empty dict (its sanitation makes it None). As in IntelMQ,
// "extra" counts as set when any extra field is, and ow says what then
// happens; Replace drops the extra fields there were.
func AddExtra(ev *dho.Event, v Value, ow parsers.Overwrite) (bool, error) {
	if len(ev.Extra) > 0 {
		switch ow {
		case parsers.Refuse:
			return false, &dho.FieldError{Field: "extra", Value: v.PyStr(), Err: parsers.ErrKeyExists}
		case parsers.Keep:
			return false, nil
		}
	}
	if v.Kind != Object || len(v.Keys) == 0 {
		return false, &dho.FieldError{Field: "extra", Value: v.PyStr(), Err: ErrEmptyExtra}
	}
	if ow == parsers.Replace {
		ev.Extra = nil
	}
	for i, k := range v.Keys {
		if err := ev.Set("extra."+k, v.Elems[i].DHO()); err != nil {
			return false, err
		}
	}
	return true, nil
}

// TryAdd is IntelMQ's add(name, v, raise_failure=False) with overwrite
// None: a value the field refuses is not added, and reported as not
// added, while a field already set or unknown is still an error.
func TryAdd(ev *dho.Event, name string, v Value) (bool, error) {
	ok, err := Add(ev, name, v, parsers.Refuse)
	if err != nil && IsInvalidValue(err) {
		return false, nil
	}
	return ok, err
}

// IsInvalidValue tells a value the field refuses (IntelMQ's InvalidValue)
// from a field that is set already or unknown.
func IsInvalidValue(err error) bool {
	var fe *dho.FieldError
	return errors.As(err, &fe) && !errors.Is(err, parsers.ErrKeyExists) && !errors.Is(err, dho.ErrUnknownField)
}
