// Package jsonv holds a JSON document the way Python holds what json.loads
// returned: objects keep the order of their members (a repeated key keeps
// its first place and its last value, as a dict does), integers keep all
// their digits, and comparisons, truth and str() follow Python's rules.
//
// IntelMQ's JSON feed parsers walk such dicts in order, compare values with
// ==, test them with if, format them into text and write them back with
// json.dumps; the parsers built on this package do the same steps on the
// same values, so that they make the same events.
package jsonv

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/intelstream/intelstream/internal/pyjson"
)

// Kind is the kind of a Value.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	Array
	Object
)

var kindNames = [...]string{"null", "boolean", "integer", "float", "string", "array", "object"}

// String returns the kind's name, for messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one JSON value. The zero Value is null.
type Value struct {
	Kind Kind
	// B is the value of a Bool.
	B bool
	// N is the value of an Int that fits in int64; Big holds the digits of
	// one that does not (and is "" otherwise).
	N   int64
	Big string
	// F is the value of a Float.
	F float64
	// S is the value of a String.
	S string
	// Elems are the elements of an Array, or the member values of an
	// Object, in order.
	Elems []Value
	// Keys are the member names of an Object, in order, one per element.
	Keys []string
}

// Str returns a string value.
func Str(s string) Value { return Value{Kind: String, S: s} }

// IntValue returns an integer value.
func IntValue(n int64) Value { return Value{Kind: Int, N: n} }

// FloatValue returns a float value.
func FloatValue(f float64) Value { return Value{Kind: Float, F: f} }

// BoolValue returns a boolean value.
func BoolValue(b bool) Value { return Value{Kind: Bool, B: b} }

// List returns an array of vs.
func List(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{Kind: Array, Elems: vs}
}

// ErrNotJSON is wrapped by the errors of Parse.
var ErrNotJSON = errors.New("not JSON")

// Parse reads the JSON document doc as Python's json.loads does (NaN and
// Infinity are numbers; white space may surround the value).
func Parse(doc string) (Value, error) {
	d := pyjson.NewDecoder(doc)
	v, err := read(d)
	if err == nil {
		err = d.End()
	}
	if err != nil {
		return Value{}, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	return v, nil
}

// Text is IntelMQ's base64_decode of raw data: the bytes read as UTF-8,
// invalid sequences dropped (Python's decode("utf-8", "ignore")).
func Text(raw []byte) string {
	if utf8.Valid(raw) {
		return string(raw)
	}
	return strings.ToValidUTF8(string(raw), "")
}

func read(d *pyjson.Decoder) (Value, error) {
	switch d.Kind() {
	case pyjson.String:
		s, err := d.String()
		return Str(s), err
	case pyjson.Number:
		raw, isInt, err := d.Number()
		if err != nil {
			return Value{}, err
		}
		if isInt {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return IntValue(n), nil
			}
			return Value{Kind: Int, Big: raw}, nil
		}
		return FloatValue(parseFloat(raw)), nil
	case pyjson.True, pyjson.False:
		b, err := d.Bool()
		return BoolValue(b), err
	case pyjson.Null:
		return Value{}, d.Null()
	case pyjson.Array:
		if err := d.BeginArray(); err != nil {
			return Value{}, err
		}
		v := List()
		for {
			ok, err := d.NextElem()
			if err != nil {
				return Value{}, err
			}
			if !ok {
				return v, nil
			}
			e, err := read(d)
			if err != nil {
				return Value{}, err
			}
			v.Elems = append(v.Elems, e)
		}
	case pyjson.Object:
		if err := d.BeginObject(); err != nil {
			return Value{}, err
		}
		v := Value{Kind: Object, Elems: []Value{}, Keys: []string{}}
		for {
			k, ok, err := d.NextMember()
			if err != nil {
				return Value{}, err
			}
			if !ok {
				return v, nil
			}
			e, err := read(d)
			if err != nil {
				return Value{}, err
			}
			v.Set(k, e)
		}
	}
	// Let the decoder describe the error.
	return Value{}, d.Skip()
}

func parseFloat(raw string) float64 {
	switch raw {
	case "NaN":
		return math.NaN()
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, _ := strconv.ParseFloat(raw, 64) // out of range gives ±Inf, as float() does
	return f
}

// index returns the position of member key, or -1.
func (v Value) index(key string) int {
	if v.Kind != Object {
		return -1
	}
	return slices.Index(v.Keys, key)
}

// Get returns the member key of an object (Python's dict.get).
func (v Value) Get(key string) (Value, bool) {
	if i := v.index(key); i >= 0 {
		return v.Elems[i], true
	}
	return Value{}, false
}

// Has reports whether v is an object with member key (Python's "key in d").
func (v Value) Has(key string) bool { return v.index(key) >= 0 }

// Set sets member key of the object v: a new key goes to the end, an
// existing one keeps its place (Python's d[key] = x).
func (v *Value) Set(key string, x Value) {
	if i := v.index(key); i >= 0 {
		v.Elems[i] = x
		return
	}
	v.Keys = append(v.Keys, key)
	v.Elems = append(v.Elems, x)
}

// Delete removes member key of the object v (Python's del d[key]).
func (v *Value) Delete(key string) {
	if i := v.index(key); i >= 0 {
		v.Keys = slices.Delete(v.Keys, i, i+1)
		v.Elems = slices.Delete(v.Elems, i, i+1)
	}
}

// Clone returns a deep copy of v, so that changes to the copy's objects do
// not reach v (Python's copy.deepcopy).
func (v Value) Clone() Value {
	if v.Elems != nil {
		elems := make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			elems[i] = e.Clone()
		}
		v.Elems = elems
		v.Keys = slices.Clone(v.Keys)
	}
	return v
}

// Truthy is Python's truth of the value: null, false, zero, and empty
// strings, arrays and objects are false.
func (v Value) Truthy() bool {
	switch v.Kind {
	case Null:
		return false
	case Bool:
		return v.B
	case Int:
		return v.N != 0 || v.Big != ""
	case Float:
		return v.F != 0
	case String:
		return v.S != ""
	}
	return len(v.Elems) > 0
}

// IsNumber reports whether v is an int, a float or a boolean, which
// Python compares by value.
func (v Value) IsNumber() bool { return v.Kind == Int || v.Kind == Float || v.Kind == Bool }

// number returns v as a float64 for comparisons.
func (v Value) number() float64 {
	switch v.Kind {
	case Bool:
		if v.B {
			return 1
		}
		return 0
	case Int:
		if v.Big != "" {
			f, _ := strconv.ParseFloat(v.Big, 64)
			return f
		}
		return float64(v.N)
	}
	return v.F
}

// Equal is Python's == of two values: numbers (and booleans) compare by
// value across int and float, containers element by element, objects
// regardless of member order.
func Equal(a, b Value) bool {
	if a.IsNumber() && b.IsNumber() {
		if a.Kind == Int && b.Kind == Int {
			return a.N == b.N && a.Big == b.Big
		}
		return a.number() == b.number()
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Null:
		return true
	case String:
		return a.S == b.S
	case Array:
		if len(a.Elems) != len(b.Elems) {
			return false
		}
		for i := range a.Elems {
			if !Equal(a.Elems[i], b.Elems[i]) {
				return false
			}
		}
		return true
	case Object:
		if len(a.Keys) != len(b.Keys) {
			return false
		}
		for i, k := range a.Keys {
			o, ok := b.Get(k)
			if !ok || !Equal(a.Elems[i], o) {
				return false
			}
		}
		return true
	}
	return false
}

// EqualString reports whether v is the string s (Python's v == "s").
func (v Value) EqualString(s string) bool { return v.Kind == String && v.S == s }

// PyInt is Python's int() of the value: integers as they are, floats cut
// toward zero, booleans 0 and 1, and texts of decimal digits (white space
// around and a sign allowed).
func (v Value) PyInt() (int64, error) {
	switch v.Kind {
	case Int:
		if v.Big == "" {
			return v.N, nil
		}
	case Bool:
		if v.B {
			return 1, nil
		}
		return 0, nil
	case Float:
		if !math.IsNaN(v.F) && !math.IsInf(v.F, 0) && math.Abs(v.F) < 1<<63 {
			return int64(v.F), nil
		}
	case String:
		s := strings.TrimSpace(v.S)
		if t := strings.TrimLeft(s, "+-"); len(s)-len(t) <= 1 && t != "" && strings.Trim(t, "0123456789") == "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: %s is no integer", ErrType, v.PyStr())
}

// PyFloat is Python's float() of the value: numbers and booleans, and
// texts that hold a number (white space around allowed).
func (v Value) PyFloat() (float64, error) {
	switch v.Kind {
	case Int, Float, Bool:
		return v.number(), nil
	case String:
		s := strings.TrimSpace(v.S)
		switch strings.ToLower(strings.TrimLeft(s, "+-")) {
		case "nan", "inf", "infinity":
			f, err := strconv.ParseFloat(s, 64)
			if err == nil {
				return f, nil
			}
		}
		if s != "" && strings.Trim(s, "+-0123456789.eE") == "" {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: %s is no number", ErrType, v.PyStr())
}
