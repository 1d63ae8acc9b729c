// Package fieldval is what the rule experts (filter, modify, sieve, ...)
// share to name event fields and read their values as text: the check of a
// field name given in a configuration, and one text form of every value
// type, so that a regular expression or a comparison sees the same text in
// every expert.
package fieldval

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/internal/pyjson"
)

// Check reports whether name is a DHO event field or an "extra.NAME" key
// IntelMQ accepts (lower case letters, digits and underscores in
// dot-separated parts). The error names the field.
func Check(name string) error {
	if key, ok := strings.CutPrefix(name, "extra."); ok {
		if !validExtraKey(key) {
			return fmt.Errorf("field %q: an extra key has lower case letters, digits and _ in non-empty dot-separated parts", name)
		}
		return nil
	}
	if _, ok := dho.LookupField(name); !ok {
		return fmt.Errorf("unknown field %q (see `intelstream fields`)", name)
	}
	return nil
}

// CheckAll is Check for every name; the error names the first bad one.
func CheckAll(names []string) error {
	for _, n := range names {
		if err := Check(n); err != nil {
			return err
		}
	}
	return nil
}

func validExtraKey(key string) bool {
	prev := byte('.')
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case c == '.':
			if prev == '.' {
				return false
			}
		default:
			return false
		}
		prev = c
	}
	return prev != '.'
}

// Field returns the table entry of a DHO field; ok is false for extra.*
// names and unknown names.
func Field(name string) (dho.Field, bool) {
	if strings.HasPrefix(name, "extra.") {
		return dho.Field{}, false
	}
	return dho.LookupField(name)
}

// IsExtra reports whether name is an "extra.NAME" key.
func IsExtra(name string) bool { return strings.HasPrefix(name, "extra.") }

// Multi reports whether name is a multi-valued DHO field.
func Multi(name string) bool {
	f, ok := Field(name)
	return ok && f.Multi
}

// IsText reports whether values of the field are stored as text (strings
// of any text type: IP, FQDN, URL ...); extra fields count as text, since
// their values may be strings.
func IsText(name string) bool {
	if IsExtra(name) {
		return true
	}
	f, ok := Field(name)
	return ok && f.GoType() == "string" || ok && f.GoType() == "[]string"
}

// Text returns one value as text, as IntelMQ's str() of it reads: a
// string as it is, an integer in decimal, a float in Python's repr, a
// boolean as true/false, a time in IntelMQ's ISO form
// (2006-01-02T15:04:05+00:00), raw bytes as they are, an extra value as
// dho.Value.Text (JSON for lists and objects).
func Text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return string(pyjson.AppendFloat(nil, v))
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return sanitize.FormatDateTime(v)
	case []byte:
		return string(v)
	case dho.Value:
		return v.Text()
	case dho.Extra:
		return dho.Object(v).Text()
	}
	return fmt.Sprint(v)
}

// Texts returns every value of the field as text (one for a single-valued
// field, each of a multi-valued one), nil when the field is unset.
func Texts(e *dho.Event, name string) []string {
	v, ok := e.Get(name)
	if !ok {
		return nil
	}
	return AppendTexts(nil, v)
}

// AppendTexts appends the values of v (a value from Event.Get) as text.
func AppendTexts(dst []string, v any) []string {
	switch v := v.(type) {
	case []string:
		return append(dst, v...)
	case []int64:
		for _, n := range v {
			dst = append(dst, strconv.FormatInt(n, 10))
		}
		return dst
	}
	return append(dst, Text(v))
}

// First returns the field's (first) value as text and whether it is set.
func First(e *dho.Event, name string) (string, bool) {
	v, ok := e.Get(name)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case []string:
		return v[0], true
	case []int64:
		return strconv.FormatInt(v[0], 10), true
	}
	return Text(v), true
}

// AnyText calls match for each value of v (a value from Event.Get) as
// text and reports whether one matched. It does not allocate for string
// values.
func AnyText(v any, match func(string) bool) bool {
	switch v := v.(type) {
	case string:
		return match(v)
	case []string:
		for _, s := range v {
			if match(s) {
				return true
			}
		}
		return false
	case []int64:
		for _, n := range v {
			if match(strconv.FormatInt(n, 10)) {
				return true
			}
		}
		return false
	}
	return match(Text(v))
}

// CheckText is Check for a field that must hold text (any string type, or
// an extra field).
func CheckText(name string) error {
	if err := Check(name); err != nil {
		return err
	}
	if !IsText(name) {
		return fmt.Errorf("%s does not hold text", name)
	}
	return nil
}
