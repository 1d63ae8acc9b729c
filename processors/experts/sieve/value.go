package sieve

import (
	"math"
	"strconv"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/internal/pyjson"
)

// kind is the kind of a literal or of one event value.
type kind uint8

const (
	kString kind = iota + 1
	kNumber
	kBool
	kVar   // a literal that names a variable
	kOther // an event value that is a list or an object (extra values)
)

// lit is a literal of the sieve language, or one value of an event seen
// as one: text, a number (integers keep their exact value in i), a
// boolean, or (for literals) a variable to resolve when the rule runs.
type lit struct {
	k     kind
	s     string // text; the variable's name for kVar; JSON for kOther
	n     float64
	i     int64
	isInt bool
	b     bool
}

func strLit(s string) lit { return lit{k: kString, s: s} }

func intLit(i int64) lit { return lit{k: kNumber, n: float64(i), i: i, isInt: true} }

func floatLit(f float64) lit {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return lit{k: kNumber, n: f, i: int64(f)}
	}
	return lit{k: kNumber, n: f}
}

func boolLit(b bool) lit { return lit{k: kBool, b: b} }

// numberLit reads a number token.
func numberLit(text string) (lit, bool) {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return intLit(i), true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return lit{}, false
	}
	return floatLit(f), true
}

// equal reports whether two values are the same: text equals text,
// numbers are compared by value (1 == 1.0), booleans with booleans.
// Values of different kinds are never equal.
func (a lit) equal(b lit) bool {
	if a.k != b.k {
		return false
	}
	switch a.k {
	case kString, kOther:
		return a.s == b.s
	case kNumber:
		if a.isInt && b.isInt {
			return a.i == b.i
		}
		return a.n == b.n
	case kBool:
		return a.b == b.b
	}
	return false
}

// text is the value as text, for the text operators (:contains, =~ ...).
func (a lit) text() string {
	switch a.k {
	case kNumber:
		if a.isInt {
			return strconv.FormatInt(a.i, 10)
		}
		return string(pyjson.AppendFloat(nil, a.n))
	case kBool:
		return strconv.FormatBool(a.b)
	}
	return a.s
}

// goValue is the literal as Go data for Event.Set.
func (a lit) goValue() any {
	switch a.k {
	case kNumber:
		if a.isInt {
			return a.i
		}
		return a.n
	case kBool:
		return a.b
	}
	return a.s
}

// scalarOf returns one event value as a lit: time values as IntelMQ's ISO
// text (IntelMQ holds times as text), extra values by their kind.
func scalarOf(v any) lit {
	switch v := v.(type) {
	case string:
		return strLit(v)
	case int64:
		return intLit(v)
	case float64:
		return floatLit(v)
	case bool:
		return boolLit(v)
	case time.Time:
		return strLit(sanitize.FormatDateTime(v))
	case []byte:
		return strLit(string(v))
	case dho.Value:
		switch v.Kind() {
		case dho.KindString:
			s, _ := v.Str()
			return strLit(s)
		case dho.KindInt:
			if i, ok := v.Int(); ok {
				return intLit(i)
			}
			f, _ := v.Float()
			return floatLit(f)
		case dho.KindFloat:
			f, _ := v.Float()
			return floatLit(f)
		case dho.KindBool:
			b, _ := v.Bool()
			return boolLit(b)
		}
		return lit{k: kOther, s: v.Text()}
	case dho.Extra:
		return lit{k: kOther, s: dho.Object(v).Text()}
	}
	return lit{k: kOther}
}

// anyValue calls fn for each value of v (a value from Event.Get: each
// element of a multi-valued field, else v itself) until fn returns true.
func anyValue(v any, fn func(lit) bool) bool {
	switch v := v.(type) {
	case *string:
		return fn(strLit(*v))
	case *[]string:
		for _, s := range *v {
			if fn(strLit(s)) {
				return true
			}
		}
		return false
	case *[]int64:
		for _, n := range *v {
			if fn(intLit(n)) {
				return true
			}
		}
		return false
	case []string:
		for _, s := range v {
			if fn(strLit(s)) {
				return true
			}
		}
		return false
	case []int64:
		for _, n := range v {
			if fn(intLit(n)) {
				return true
			}
		}
		return false
	}
	return fn(scalarOf(deref(v)))
}

// listOf returns the elements of a list value: a multi-valued field or an
// extra list. ok is false for other values.
func listOf(v any) ([]lit, bool) {
	switch v := deref(v).(type) {
	case []string:
		out := make([]lit, len(v))
		for i, s := range v {
			out[i] = strLit(s)
		}
		return out, true
	case []int64:
		out := make([]lit, len(v))
		for i, n := range v {
			out[i] = intLit(n)
		}
		return out, true
	case dho.Value:
		l, ok := v.List()
		if !ok {
			return nil, false
		}
		out := make([]lit, len(l))
		for i, e := range l {
			out[i] = scalarOf(e)
		}
		return out, true
	}
	return nil, false
}

func containsLit(set []lit, x lit) bool {
	for _, y := range set {
		if x.equal(y) {
			return true
		}
	}
	return false
}
