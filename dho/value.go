package dho

import (
	"fmt"
	"github.com/intelstream/intelstream/internal/pyjson"
	"math"
	"sort"
	"strconv"
)

// Kind is the JSON kind of an extra value.
type Kind uint8

// The kinds of Value. A Value's kind never changes through encoding and
// decoding: an integer stays an integer, a float a float.
const (
	KindNull Kind = iota
	KindString
	KindInt
	KindFloat
	KindBool
	KindList
	KindObject
)

var kindNames = [...]string{"null", "string", "integer", "float", "boolean", "list", "object"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one extra value that keeps its kind. The zero Value is null.
type Value struct {
	kind Kind
	num  uint64 // int64 bits, float64 bits or 0/1 for bool
	// str is the string of a KindString, or for a KindInt too large for
	// int64 its decimal digits, so that no digit is lost.
	str string
	// c holds a list's or an object's members. It is behind a pointer
	// because most values are scalars: a Value is 40 bytes, which keeps
	// the extra maps of events small.
	c *composite
}

type composite struct {
	list []Value
	obj  map[string]Value
}

// items returns a list's members (nil for other kinds).
func (v Value) items() []Value {
	if v.c == nil {
		return nil
	}
	return v.c.list
}

// members returns an object's members (nil for other kinds).
func (v Value) members() map[string]Value {
	if v.c == nil {
		return nil
	}
	return v.c.obj
}

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, str: s} }

// Int returns an integer value.
func Int(n int64) Value { return Value{kind: KindInt, num: uint64(n)} }

// BigInt returns an integer value from its decimal digits, for integers that
// do not fit in 64 bits. It fails when digits is not a JSON integer.
func BigInt(digits string) (Value, error) {
	if !pyjson.IsInt(digits) {
		return Value{}, fmt.Errorf("%q is not an integer", digits)
	}
	if n, err := strconv.ParseInt(digits, 10, 64); err == nil {
		return Int(n), nil
	}
	return Value{kind: KindInt, str: digits}, nil
}

// Float returns a float value. NaN and infinities are not JSON and are refused
// where values are sanitized.
func Float(f float64) Value { return Value{kind: KindFloat, num: math.Float64bits(f)} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.num = 1
	}
	return v
}

// Null returns the null value.
func Null() Value { return Value{} }

// List returns a list value holding vs.
func List(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{kind: KindList, c: &composite{list: vs}}
}

// Object returns an object value holding m.
func Object(m map[string]Value) Value {
	if m == nil {
		m = map[string]Value{}
	}
	return Value{kind: KindObject, c: &composite{obj: m}}
}

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// Str returns the string of a KindString value.
func (v Value) Str() (string, bool) { return v.str, v.kind == KindString }

// Int returns the integer of a KindInt value; ok is false for other kinds
// and for integers beyond 64 bits (see Text).
func (v Value) Int() (int64, bool) { return int64(v.num), v.kind == KindInt && v.str == "" }

// Float returns the number of a KindFloat or KindInt value.
func (v Value) Float() (float64, bool) {
	switch v.kind {
	case KindFloat:
		return math.Float64frombits(v.num), true
	case KindInt:
		if v.str != "" {
			f, err := strconv.ParseFloat(v.str, 64)
			return f, err == nil
		}
		return float64(int64(v.num)), true
	}
	return 0, false
}

// Bool returns the boolean of a KindBool value.
func (v Value) Bool() (bool, bool) { return v.num == 1, v.kind == KindBool }

// List returns the elements of a KindList value.
func (v Value) List() ([]Value, bool) { return v.items(), v.kind == KindList }

// Object returns the members of a KindObject value.
func (v Value) Object() (map[string]Value, bool) { return v.members(), v.kind == KindObject }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// Text returns the value as text: a string as it is, a number in its JSON
// form, true/false, null; lists and objects in compact JSON.
func (v Value) Text() string {
	switch v.kind {
	case KindString:
		return v.str
	case KindInt:
		if v.str != "" {
			return v.str
		}
		return strconv.FormatInt(int64(v.num), 10)
	}
	return string(v.appendJSON(nil, false))
}

// Equal reports whether v and w hold the same kind and value.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || v.num != w.num || v.str != w.str {
		// Floats compare by value so that 0.0 and -0.0 are not
		// different, and NaN (which sanitation refuses) is never equal.
		if v.kind == KindFloat && w.kind == KindFloat {
			return math.Float64frombits(v.num) == math.Float64frombits(w.num)
		}
		return false
	}
	switch v.kind {
	case KindFloat:
		return !math.IsNaN(math.Float64frombits(v.num))
	case KindList:
		if len(v.items()) != len(w.items()) {
			return false
		}
		for i := range v.items() {
			if !v.items()[i].Equal(w.items()[i]) {
				return false
			}
		}
	case KindObject:
		if len(v.members()) != len(w.members()) {
			return false
		}
		for k, x := range v.members() {
			y, ok := w.members()[k]
			if !ok || !x.Equal(y) {
				return false
			}
		}
	}
	return true
}

// Any returns the value as plain Go data: nil, string, int64 (or a decimal
// string for an integer beyond 64 bits), float64, bool, []any, map[string]any.
func (v Value) Any() any {
	switch v.kind {
	case KindString:
		return v.str
	case KindInt:
		if v.str != "" {
			return v.str
		}
		return int64(v.num)
	case KindFloat:
		return math.Float64frombits(v.num)
	case KindBool:
		return v.num == 1
	case KindList:
		out := make([]any, len(v.items()))
		for i, e := range v.items() {
			out[i] = e.Any()
		}
		return out
	case KindObject:
		out := make(map[string]any, len(v.members()))
		for k, e := range v.members() {
			out[k] = e.Any()
		}
		return out
	}
	return nil
}

// ValueOf converts plain Go data to a Value: nil, string, bool, every integer
// and float type, []any, []string, []int64, map[string]any, Value, and
// slices and maps of Value. Other types are refused.
func ValueOf(x any) (Value, error) {
	switch x := x.(type) {
	case nil:
		return Null(), nil
	case Value:
		return x, nil
	case string:
		return String(x), nil
	case bool:
		return Bool(x), nil
	case int:
		return Int(int64(x)), nil
	case int8:
		return Int(int64(x)), nil
	case int16:
		return Int(int64(x)), nil
	case int32:
		return Int(int64(x)), nil
	case int64:
		return Int(x), nil
	case uint8:
		return Int(int64(x)), nil
	case uint16:
		return Int(int64(x)), nil
	case uint32:
		return Int(int64(x)), nil
	case uint:
		return uintValue(uint64(x)), nil
	case uint64:
		return uintValue(x), nil
	case float32:
		return Float(float64(x)), nil
	case float64:
		return Float(x), nil
	case []Value:
		return List(x...), nil
	case []string:
		vs := make([]Value, len(x))
		for i, s := range x {
			vs[i] = String(s)
		}
		return List(vs...), nil
	case []int64:
		vs := make([]Value, len(x))
		for i, n := range x {
			vs[i] = Int(n)
		}
		return List(vs...), nil
	case []any:
		vs := make([]Value, len(x))
		for i, e := range x {
			v, err := ValueOf(e)
			if err != nil {
				return Value{}, err
			}
			vs[i] = v
		}
		return List(vs...), nil
	case map[string]Value:
		return Object(x), nil
	case map[string]any:
		m := make(map[string]Value, len(x))
		for k, e := range x {
			v, err := ValueOf(e)
			if err != nil {
				return Value{}, err
			}
			m[k] = v
		}
		return Object(m), nil
	}
	return Value{}, fmt.Errorf("a value of Go type %T cannot be an extra value", x)
}

func uintValue(u uint64) Value {
	if u > math.MaxInt64 {
		return Value{kind: KindInt, str: strconv.FormatUint(u, 10)}
	}
	return Int(int64(u))
}

// clone copies lists and objects so that the copy shares no mutable state.
func (v Value) clone() Value {
	switch v.kind {
	case KindList:
		l := make([]Value, len(v.items()))
		for i, e := range v.items() {
			l[i] = e.clone()
		}
		v.c = &composite{list: l}
	case KindObject:
		m := make(map[string]Value, len(v.members()))
		for k, e := range v.members() {
			m[k] = e.clone()
		}
		v.c = &composite{obj: m}
	}
	return v
}

// sortedKeys returns the keys of m in the order Python's sort_keys uses
// (code point order, which is the byte order of UTF-8).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
