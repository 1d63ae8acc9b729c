package sanitize

import (
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file implements Python's datetime.strptime, which IntelMQ's
// "from_format" and "from_format_midnight" time formats use, for the
// directives feeds use. Like Python, each directive matches what its
// regular expression in Python's _strptime matches, trying alternatives in
// the same order and backtracking, the whole value must be consumed,
// literal text matches ignoring case, and whitespace in the format matches
// one or more whitespace characters.

// Layout is a compiled strptime format. Compile it once (ParseLayout) when
// a feed configures it, then Parse every value.
type Layout struct {
	src   string
	items []layoutItem
	has   [128]bool // directives present
}

type layoutItem struct {
	dir byte   // directive letter, or 0 for literal, or ' ' for whitespace
	lit string // literal text
}

// supportedDirectives are the strptime directives Layout knows.
const supportedDirectives = "YmdHMSfzZbBaAyIpj%"

// ParseLayout compiles a Python strptime format such as
// "%Y-%m-%d %H:%M:%S". It refuses directives it does not implement rather
// than guessing at them.
func ParseLayout(format string) (*Layout, error) {
	l := &Layout{src: format}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.items = append(l.items, layoutItem{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(format); {
		c := format[i]
		switch {
		case c == '%':
			if i+1 >= len(format) {
				return nil, errors.New("sanitize: time format " + quote(format) + " ends with a lone %")
			}
			d := format[i+1]
			if !strings.ContainsRune(supportedDirectives, rune(d)) {
				return nil, errors.New("sanitize: time format " + quote(format) + " uses %" + string(rune(d)) + ", which is not supported")
			}
			if d == '%' {
				lit.WriteByte('%')
			} else {
				flush()
				l.items = append(l.items, layoutItem{dir: d})
				l.has[d] = true
			}
			i += 2
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			flush()
			for i < len(format) && strings.IndexByte(" \t\n\r\v\f", format[i]) >= 0 {
				i++
			}
			l.items = append(l.items, layoutItem{dir: ' '})
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return l, nil
}

// String returns the format as given.
func (l *Layout) String() string { return l.src }

// fields collects what the directives matched.
type fields struct {
	year, month, day, hour, min, sec, us int
	yday                                 int
	hour12                               int // from %I, -1 if none
	ampm                                 int // -1 none, 0 am, 1 pm
	tzSet                                bool
	offset                               int // seconds east
}

// Parse matches value against the layout, as datetime.strptime does, and
// returns the time with its zone when %z matched (a naive result is in
// UTC, which is how IntelMQ reads it).
func (l *Layout) Parse(value string) (time.Time, error) {
	f, err := l.parseFields(value)
	if err != nil {
		return time.Time{}, err
	}
	if f.sec > 59 {
		return time.Time{}, invalid(value, "has a second out of range (leap seconds are refused, as by Python)")
	}
	t := time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, f.us*1000, time.UTC)
	if f.offset != 0 {
		t = t.Add(-time.Duration(f.offset) * time.Second)
	}
	return t, nil
}

// ParseMidnight matches value against the layout and returns midnight UTC
// of the date as written, ignoring any time and zone: IntelMQ's
// from_format_midnight.
func (l *Layout) ParseMidnight(value string) (time.Time, error) {
	f, err := l.parseFields(value)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(f.year, time.Month(f.month), f.day, 0, 0, 0, 0, time.UTC), nil
}

func (l *Layout) parseFields(value string) (fields, error) {
	f := fields{year: 1900, month: 1, day: 1, hour12: -1, ampm: -1}
	if !l.match(0, value, &f) {
		return f, invalid(value, "does not match the time format "+quote(l.src))
	}
	if f.hour12 >= 0 {
		f.hour = f.hour12
		if f.ampm == 1 && f.hour != 12 {
			f.hour += 12
		} else if f.ampm != 1 && f.hour == 12 {
			f.hour = 0
		}
	}
	if f.yday > 0 && !l.has['m'] && !l.has['d'] && !l.has['b'] && !l.has['B'] {
		t := time.Date(f.year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.yday-1)
		if t.Year() != f.year {
			return f, invalid(value, "has a day of the year out of range")
		}
		f.month, f.day = int(t.Month()), t.Day()
	}
	if !ValidDate(f.year, f.month, f.day) {
		return f, invalid(value, "is not a valid date")
	}
	return f, nil
}

// match tries to match items[k:] against s, backtracking over the
// alternative lengths each directive can take.
func (l *Layout) match(k int, s string, f *fields) bool {
	if k == len(l.items) {
		return s == ""
	}
	it := l.items[k]
	switch it.dir {
	case 0:
		rest, ok := foldPrefix(s, it.lit)
		return ok && l.match(k+1, rest, f)
	case ' ':
		// \s+ is greedy: try the longest run of whitespace first.
		var ends []int
		for n := 0; n < len(s); {
			r, size := utf8.DecodeRuneInString(s[n:])
			if !isPySpace(r) {
				break
			}
			n += size
			ends = append(ends, n)
		}
		for j := len(ends) - 1; j >= 0; j-- {
			if l.match(k+1, s[ends[j]:], f) {
				return true
			}
		}
		return false
	}
	saved := *f
	for _, n := range candidates(it.dir, s) {
		if !apply(it.dir, s[:n], f) {
			*f = saved
			continue
		}
		if l.match(k+1, s[n:], f) {
			return true
		}
		*f = saved
	}
	return false
}

// foldPrefix reports whether s starts with lit, ignoring case (Python
// compiles the format with re.IGNORECASE), and returns the rest.
func foldPrefix(s, lit string) (string, bool) {
	for _, lr := range lit {
		if s == "" {
			return "", false
		}
		r, size := utf8.DecodeRuneInString(s)
		if r != lr && unicode.SimpleFold(r) != lr && !strings.EqualFold(string(r), string(lr)) {
			return "", false
		}
		s = s[size:]
	}
	return s, true
}

// digitRun returns how many ASCII digits s starts with, up to max.
func digitRun(s string, max int) int {
	n := 0
	for n < len(s) && n < max && isDigit(s[n]) {
		n++
	}
	return n
}

var (
	monthAbbr   = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	monthFull   = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	weekdayAbbr = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	weekdayFull = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)

// nameIndex finds which of names s starts with (ignoring ASCII case),
// preferring the longest, as Python's alternation sorted by length does.
func nameIndex(s string, names []string) (idx, n int) {
	idx = -1
	for i, name := range names {
		if len(name) > n && len(s) >= len(name) && strings.EqualFold(s[:len(name)], name) {
			idx, n = i, len(name)
		}
	}
	return idx, n
}

// candidates lists the lengths directive d can match at the start of s, in
// the order Python's regular expression tries them.
func candidates(d byte, s string) []int {
	var out [8]int
	c := out[:0]
	two := func(ok func(a, b byte) bool) {
		if len(s) >= 2 && isDigit(s[0]) && isDigit(s[1]) && ok(s[0], s[1]) {
			c = append(c, 2)
		}
	}
	one := func() {
		if len(s) >= 1 && s[0] >= '1' && s[0] <= '9' {
			c = append(c, 1)
		}
	}
	switch d {
	case 'Y':
		if digitRun(s, 4) == 4 {
			c = append(c, 4)
		}
	case 'y':
		if digitRun(s, 2) == 2 {
			c = append(c, 2)
		}
	case 'm', 'I': // 1[0-2]|0[1-9]|[1-9]
		two(func(a, b byte) bool { return a == '1' && b <= '2' || a == '0' && b != '0' })
		one()
	case 'd': // 3[01]|[12]\d|0[1-9]|[1-9]| [1-9]
		two(func(a, b byte) bool { return a == '3' && b <= '1' || a == '1' || a == '2' || a == '0' && b != '0' })
		one()
		if len(s) >= 2 && s[0] == ' ' && s[1] >= '1' && s[1] <= '9' {
			c = append(c, 2)
		}
	case 'H': // 2[0-3]|[0-1]\d|\d
		two(func(a, b byte) bool { return a == '2' && b <= '3' || a <= '1' })
		if digitRun(s, 1) == 1 {
			c = append(c, 1)
		}
	case 'M': // [0-5]\d|\d
		two(func(a, b byte) bool { return a <= '5' })
		if digitRun(s, 1) == 1 {
			c = append(c, 1)
		}
	case 'S': // 6[0-1]|[0-5]\d|\d
		two(func(a, b byte) bool { return a == '6' && b <= '1' || a <= '5' })
		if digitRun(s, 1) == 1 {
			c = append(c, 1)
		}
	case 'f':
		for n := digitRun(s, 6); n >= 1; n-- {
			c = append(c, n)
		}
	case 'j':
		if n := digitRun(s, 3); n == 3 {
			if v, _ := digitsValue(s[:3]); v >= 1 && v <= 366 {
				c = append(c, 3)
			}
		}
		two(func(a, b byte) bool { return a != '0' || b != '0' })
		one()
	case 'b', 'B', 'a', 'A':
		names := map[byte][]string{'b': monthAbbr, 'B': monthFull, 'a': weekdayAbbr, 'A': weekdayFull}[d]
		if _, n := nameIndex(s, names); n > 0 {
			c = append(c, n)
		}
	case 'p':
		if len(s) >= 2 && (strings.EqualFold(s[:2], "am") || strings.EqualFold(s[:2], "pm")) {
			c = append(c, 2)
		}
	case 'Z':
		if len(s) >= 3 && (strings.EqualFold(s[:3], "utc") || strings.EqualFold(s[:3], "gmt")) {
			c = append(c, 3)
		}
	case 'z':
		if len(s) >= 1 && s[0] == 'Z' {
			c = append(c, 1)
			break
		}
		c = offsetCandidates(s, c)
	}
	return c
}

// offsetCandidates matches [+-]HH[:]MM[[:]SS[.ffffff]], longest first.
func offsetCandidates(s string, c []int) []int {
	if len(s) < 5 || (s[0] != '+' && s[0] != '-') || digitRun(s[1:], 2) != 2 {
		return c
	}
	i := 3
	if s[i] == ':' {
		i++
	}
	if len(s) < i+2 || s[i] < '0' || s[i] > '5' || !isDigit(s[i+1]) {
		return c
	}
	base := i + 2
	// Optional seconds: [:]SS, then optional .f{1,6}.
	j := base
	if j < len(s) && s[j] == ':' {
		j++
	}
	if len(s) >= j+2 && s[j] >= '0' && s[j] <= '5' && isDigit(s[j+1]) {
		k := j + 2
		if k < len(s) && s[k] == '.' {
			for n := digitRun(s[k+1:], 6); n >= 1; n-- {
				c = append(c, k+1+n)
			}
		}
		c = append(c, k)
	}
	return append(c, base)
}

// apply stores what directive d matched in v.
func apply(d byte, v string, f *fields) bool {
	n, _ := digitsValue(strings.TrimLeft(v, " "))
	switch d {
	case 'Y':
		f.year = n
	case 'y':
		if n < 69 {
			f.year = 2000 + n
		} else {
			f.year = 1900 + n
		}
	case 'm':
		f.month = n
	case 'd':
		f.day = n
	case 'H':
		f.hour = n
	case 'I':
		f.hour12 = n
	case 'M':
		f.min = n
	case 'S':
		f.sec = n
	case 'f':
		f.us = fracMicros(v)
	case 'j':
		f.yday = n
	case 'b':
		i, _ := nameIndex(v, monthAbbr)
		f.month = i + 1
	case 'B':
		i, _ := nameIndex(v, monthFull)
		f.month = i + 1
	case 'a', 'A', 'Z':
		// Weekday names are checked as names only; Python does not check
		// them against the date either. %Z sets no zone in Python.
	case 'p':
		if strings.EqualFold(v, "pm") {
			f.ampm = 1
		} else {
			f.ampm = 0
		}
	case 'z':
		if v == "Z" {
			f.tzSet, f.offset = true, 0
			return true
		}
		sign := 1
		if v[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(v[1:], ":", "")
		frac := ""
		if i := strings.IndexByte(digits, '.'); i >= 0 {
			digits, frac = digits[:i], digits[i+1:]
		}
		h, _ := digitsValue(digits[0:2])
		m, _ := digitsValue(digits[2:4])
		sec := 0
		if len(digits) >= 6 {
			sec, _ = digitsValue(digits[4:6])
		}
		if frac != "" {
			// Python keeps sub-second offsets; a time.Time zone cannot,
			// and no feed sends them, so refuse rather than round.
			return false
		}
		total := h*3600 + m*60 + sec
		if total >= 24*3600 {
			return false
		}
		f.tzSet, f.offset = true, sign*total
	}
	return true
}
