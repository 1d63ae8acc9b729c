package dho

import (
	"fmt"
	"math"
	"time"

	"github.com/intelstream/intelstream/dho/sanitize"
)

// This file connects the field table to the value sanitizers of package
// sanitize: it picks the sanitizer by type and applies the per-field
// constraints (length, pattern, range). Every error is a *FieldError.

// sanitizeText returns the canonical form of s for a string-stored field.
func sanitizeText(f *Field, s string) (string, error) {
	var out string
	var err error
	switch f.Type {
	case TypeString:
		out, err = sanitize.String(s)
	case TypeLowercaseString:
		out, err = sanitize.LowercaseString(s)
	case TypeUppercaseString:
		out, err = sanitize.UppercaseString(s)
	case TypeIPAddress:
		out, err = sanitize.IPAddress(s)
	case TypeIPNetwork:
		out, err = sanitize.IPNetwork(s)
	case TypeFQDN:
		out, err = sanitize.FQDN(s)
	case TypeURL:
		out, err = sanitize.URL(s)
	case TypeTLP:
		out, err = sanitize.TLP(s)
	case TypeRegistry:
		out, err = sanitize.Registry(s)
	case TypeClassificationTaxonomy:
		out, err = sanitize.ClassificationTaxonomy(s)
	case TypeClassificationType:
		out, err = sanitize.ClassificationType(s)
	case TypeJSON:
		out, err = sanitize.JSON(s)
	case TypeUUID:
		out, err = sanitizeUUID(s)
	default:
		err = fmt.Errorf("a %s value cannot be given as text here", f.Type)
	}
	if err != nil {
		return "", fieldErr(f.Name, s, err)
	}
	if err := checkString(f, out); err != nil {
		return "", err
	}
	return out, nil
}

// checkString applies the field's length limit and pattern.
func checkString(f *Field, s string) error {
	if f.constraint == nil {
		return nil
	}
	if err := f.constraint.Check(s); err != nil {
		return fieldErr(f.Name, s, err)
	}
	return nil
}

// sanitizeIntText parses and checks an integer field's value given as text.
func sanitizeIntText(f *Field, s string) (int64, error) {
	var n int64
	var err error
	if f.Type == TypeASN {
		n, err = sanitize.ASN(s)
	} else {
		n, err = sanitize.Integer(s)
	}
	if err != nil {
		return 0, fieldErr(f.Name, s, err)
	}
	return n, checkInt(f, n)
}

// sanitizeInt checks an integer field's value given as a number.
func sanitizeInt(f *Field, n int64) (int64, error) {
	if f.Type == TypeASN {
		m, err := sanitize.ASNValue(n)
		if err != nil {
			return 0, fieldErr(f.Name, n, err)
		}
		return m, nil
	}
	return n, checkInt(f, n)
}

func checkInt(f *Field, n int64) error {
	if f.Max != 0 && (n < f.Min || n > f.Max) {
		return fieldErr(f.Name, n, fmt.Errorf("%d is out of range %d to %d", n, f.Min, f.Max))
	}
	return nil
}

// sanitizeFloatText parses and checks a float field's value given as text.
func sanitizeFloatText(f *Field, s string) (float64, error) {
	x, err := sanitize.Float(s)
	if err != nil {
		return 0, fieldErr(f.Name, s, err)
	}
	return sanitizeFloat(f, x)
}

// sanitizeFloat checks a float field's value.
func sanitizeFloat(f *Field, x float64) (float64, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fieldErr(f.Name, x, fmt.Errorf("%v is not a finite number", x))
	}
	if f.Type == TypeAccuracy {
		y, err := sanitize.Accuracy(x)
		if err != nil {
			return 0, fieldErr(f.Name, x, err)
		}
		return y, nil
	}
	return x, nil
}

// sanitizeBoolText parses a boolean given as text.
func sanitizeBoolText(f *Field, s string) (bool, error) {
	b, err := sanitize.Boolean(s)
	if err != nil {
		return false, fieldErr(f.Name, s, err)
	}
	return b, nil
}

// sanitizeTimeText parses a datetime given as text.
func sanitizeTimeText(f *Field, s string) (time.Time, error) {
	t, err := sanitize.DateTime(s)
	if err != nil {
		return time.Time{}, fieldErr(f.Name, s, err)
	}
	return normTime(t), nil
}

// checkTimeRange refuses instants outside the years 1 to 9999, which
// ISO 8601's four-digit years (and so IntelMQ's form) cannot write.
func checkTimeRange(f *Field, t time.Time) error {
	if y := t.Year(); y < 1 || y > 9999 {
		return fieldErr(f.Name, t, fmt.Errorf("%v is outside the years 1 to 9999", t))
	}
	return nil
}

// normTime puts t in UTC at microsecond precision: what the flat form and
// Avro's timestamp-micros can hold, so that every form round-trips.
func normTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// sanitizeUUID accepts a UUID in any case and returns its lowercase form.
func sanitizeUUID(s string) (string, error) {
	if len(s) != 36 {
		return "", fmt.Errorf("%q is not a UUID (8-4-4-4-12 hexadecimal digits)", s)
	}
	b := []byte(s)
	for i, c := range b {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", fmt.Errorf("%q is not a UUID (8-4-4-4-12 hexadecimal digits)", s)
			}
			continue
		}
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			b[i] = c + 'a' - 'A'
		default:
			return "", fmt.Errorf("%q is not a UUID (8-4-4-4-12 hexadecimal digits)", s)
		}
	}
	return string(b), nil
}
