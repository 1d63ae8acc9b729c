package sanitize

import (
	"math"
	"strconv"
	"strings"
)

// Integer is IntelMQ's Integer sanitizer, Python's int(value) on a string:
// surrounding whitespace, a leading "+" or "-", leading zeros and single
// underscores between digits ("1_000") are accepted. A decimal point is not
// ("1.0" is refused by int() too), nor are hexadecimal or other bases.
// Python also reads non-ASCII decimal digits (Arabic-Indic, fullwidth
// ...); we accept ASCII digits only. Values outside int64 are refused.
func Integer(s string) (int64, error) {
	n, ok := parsePyInt(s)
	if !ok {
		return 0, invalid(s, "is not an integer")
	}
	return n, nil
}

// parsePyInt parses Python int() syntax (base 10) into an int64.
func parsePyInt(s string) (int64, bool) {
	t := trimSpace(s)
	if t == "" {
		return 0, false
	}
	// Fast path: plain digits, the usual case.
	if len(t) <= 18 && isDigits(t) {
		var n int64
		for i := 0; i < len(t); i++ {
			n = n*10 + int64(t[i]-'0')
		}
		return n, true
	}
	neg := false
	switch t[0] {
	case '+':
		t = t[1:]
	case '-':
		neg = true
		t = t[1:]
	}
	digits, ok := stripUnderscores(t)
	if !ok {
		return 0, false
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// stripUnderscores checks that t is ASCII digits with single underscores
// only between digits, and returns it without them.
func stripUnderscores(t string) (string, bool) {
	if t == "" {
		return "", false
	}
	under := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '_' && i > 0 && i < len(t)-1 && t[i-1] != '_':
			under = true
		default:
			return "", false
		}
	}
	if !under {
		return t, true
	}
	return strings.ReplaceAll(t, "_", ""), true
}

// ASN is IntelMQ's ASN sanitizer: an optional "AS" prefix in any case
// ("AS64496", "as64496") is dropped, the rest is read as by Integer (so
// "AS 64496" passes too), and the number must be in 1 to 4294967295, the
// 32-bit AS number space without 0.
func ASN(s string) (int64, error) {
	t := s
	if len(t) >= 2 && (t[0] == 'a' || t[0] == 'A') && (t[1] == 's' || t[1] == 'S') {
		t = t[2:]
	}
	n, ok := parsePyInt(t)
	if !ok {
		return 0, invalid(s, "is not an AS number")
	}
	if _, err := ASNValue(n); err != nil {
		return 0, invalid(s, "is not an AS number: out of range 1 to 4294967295")
	}
	return n, nil
}

// MaxASN is the largest AS number (32 bits).
const MaxASN = 4294967295

// ASNValue checks an AS number given as a number: 0 < n <= 4294967295, as
// IntelMQ's ASN.check_asn.
func ASNValue(n int64) (int64, error) {
	if n <= 0 || n > MaxASN {
		return 0, invalid(strconv.FormatInt(n, 10), "is not an AS number: out of range 1 to 4294967295")
	}
	return n, nil
}

// Float is IntelMQ's Float sanitizer, Python's float(value) on a string:
// surrounding whitespace, a sign, exponents, ".5", "5." and underscores
// between digits are accepted. Python also accepts "nan" and "inf"; we
// refuse them, since they are not numbers a consumer can use (and not
// valid JSON). Hexadecimal floats, which Go's strconv would read but
// Python's float() does not, are refused.
func Float(s string) (float64, error) {
	t := trimSpace(s)
	if t == "" {
		return 0, invalid(s, "is not a number")
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E' || c == '_') {
			if strings.ContainsAny(strings.ToLower(t), "ni") && isNanInf(t) {
				return 0, invalid(s, "is not a finite number")
			}
			return 0, invalid(s, "is not a number")
		}
	}
	if strings.Contains(t, "_") {
		u, ok := floatUnderscores(t)
		if !ok {
			return 0, invalid(s, "is not a number")
		}
		t = u
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && !math.IsInf(f, 0) {
			// Underflow: Python returns the nearest value (0 or a denormal).
			return f, nil
		}
		if math.IsInf(f, 0) {
			return 0, invalid(s, "is not a finite number")
		}
		return 0, invalid(s, "is not a number")
	}
	return f, nil
}

func isNanInf(t string) bool {
	l := strings.TrimLeft(strings.ToLower(t), "+-")
	return l == "nan" || l == "inf" || l == "infinity"
}

// floatUnderscores removes underscores that stand between two digits, and
// refuses any other.
func floatUnderscores(t string) (string, bool) {
	for i := 0; i < len(t); i++ {
		if t[i] == '_' {
			if i == 0 || i == len(t)-1 || !isDigit(t[i-1]) || !isDigit(t[i+1]) {
				return "", false
			}
		}
	}
	return strings.ReplaceAll(t, "_", ""), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Accuracy checks an accuracy (the "accuracy" field): a percentage from 0
// to 100 inclusive, as IntelMQ's Accuracy type. NaN is refused.
func Accuracy(f float64) (float64, error) {
	if !(f >= 0 && f <= 100) {
		return 0, invalid(strconv.FormatFloat(f, 'g', -1, 64), "is not an accuracy: out of range 0 to 100")
	}
	return f, nil
}

// AccuracyString reads an accuracy given as text, as IntelMQ does with
// float(value) followed by the range check.
func AccuracyString(s string) (float64, error) {
	f, err := Float(s)
	if err != nil {
		return 0, err
	}
	if _, err := Accuracy(f); err != nil {
		return 0, invalid(s, "is not an accuracy: out of range 0 to 100")
	}
	return f, nil
}

// AccuracyBool is IntelMQ's reading of a boolean accuracy: true is 100,
// false is 0 (a feed that says "confirmed" or not).
func AccuracyBool(b bool) float64 {
	if b {
		return 100
	}
	return 0
}

// Boolean is IntelMQ's Boolean sanitizer for text: "true" or "false" in any
// case, with surrounding whitespace. IntelMQ accepts the numbers 0 and 1
// too, but only as numbers, not as the strings "0" and "1"; see
// BooleanInt.
func Boolean(s string) (bool, error) {
	t := trimSpace(s)
	switch len(t) {
	case 4:
		if strings.EqualFold(t, "true") {
			return true, nil
		}
	case 5:
		if strings.EqualFold(t, "false") {
			return false, nil
		}
	}
	return false, invalid(s, `is not a boolean ("true" or "false")`)
}

// BooleanInt is IntelMQ's Boolean sanitizer for a number: 1 is true, 0 is
// false, anything else is refused.
func BooleanInt(n int64) (bool, error) {
	switch n {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, invalid(strconv.FormatInt(n, 10), "is not a boolean (0 or 1)")
}
