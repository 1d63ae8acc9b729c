package sanitize

import (
	"strings"
	"time"
)

// This file is a tolerant date parser modelled on the rules of dateutil's
// parser.parse (which IntelMQ's DateTime sanitizer and its "fuzzy" time
// format use): the value is split into numbers, words and symbols, each
// token is read by the same rules dateutil applies, and the year, month and
// day are told apart as dateutil's resolve_ymd does (month first when
// ambiguous). It differs from dateutil where dateutil would guess: see
// DateTime.

type tokKind uint8

const (
	tokNum tokKind = iota
	tokWord
	tokSym
)

type token struct {
	kind  tokKind
	text  string
	space bool // preceded by whitespace
}

// lex splits s into digit runs, letter runs and single other characters;
// whitespace separates tokens and is remembered on the next one.
func lex(s string) []token {
	toks := make([]token, 0, 16)
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			space = true
			i++
			continue
		case isDigit(c):
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			toks = append(toks, token{tokNum, s[i:j], space})
			i = j
		case isLetter(c):
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], space})
			i = j
		default:
			// One symbol: a whole UTF-8 sequence when not ASCII.
			j := i + 1
			for j < len(s) && !isRuneStart(s[j]) {
				j++
			}
			toks = append(toks, token{tokSym, s[i:j], space})
			i = j
		}
		space = false
	}
	return toks
}

// ymdItem is one number that is a year, month or day.
type ymdItem struct {
	v     int
	label byte // 'Y', 'M' or 0 when not known
}

type dateParse struct {
	toks []token
	// fuzzySyms skips symbols no rule takes ("2018:09:49" in Apache logs);
	// fuzzyWords also skips unknown words and numbers, as dateutil's
	// fuzzy mode does.
	fuzzySyms, fuzzyWords bool

	ymd     []ymdItem
	century bool // a year was written with more than two digits

	hour, min, sec, us int // -1 when not given
	ampm               int // -1 none, 0 am, 1 pm
	tzSet              bool
	offset             int // seconds east of UTC
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdayNames = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tuesday": true, "wed": true,
	"wednesday": true, "thu": true, "thursday": true, "fri": true, "friday": true,
	"sat": true, "saturday": true, "sun": true, "sunday": true,
}

// jumpWords are dateutil's filler words (its JUMP list), skipped wherever
// they appear; "the" is added as the article before ordinal days.
var jumpWords = map[string]bool{
	"at": true, "on": true, "and": true, "ad": true, "m": true, "t": true,
	"of": true, "st": true, "nd": true, "rd": true, "th": true, "the": true,
}

func isJumpSym(s string) bool {
	switch s {
	case ".", ",", ";", "-", "/", "'":
		return true
	}
	return false
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func ampmOf(w string) int {
	switch lowerASCII(w) {
	case "am", "a":
		return 0
	case "pm", "p":
		return 1
	}
	return -1
}

func (p *dateParse) isJump(i int) bool {
	if i >= len(p.toks) {
		return false
	}
	t := p.toks[i]
	switch t.kind {
	case tokSym:
		return isJumpSym(t.text)
	case tokWord:
		return jumpWords[lowerASCII(t.text)]
	}
	return false
}

// boundaryAfter reports whether token i ends a number group: end of input,
// whitespace or a filler follows.
func (p *dateParse) boundaryAfter(i int) bool {
	return i+1 >= len(p.toks) || p.toks[i+1].space || p.isJump(i+1)
}

func (p *dateParse) sym(i int, s string) bool {
	return i < len(p.toks) && p.toks[i].kind == tokSym && p.toks[i].text == s
}

func (p *dateParse) num(i int) (string, bool) {
	if i < len(p.toks) && p.toks[i].kind == tokNum {
		return p.toks[i].text, true
	}
	return "", false
}

// appendYMD adds a number as written; more than two digits make it a year.
func (p *dateParse) appendYMD(digits string) string {
	v, ok := digitsValue(strings.TrimLeft(digits, "0") + "0")
	if !ok {
		return "number too long"
	}
	v /= 10
	var label byte
	if len(digits) > 2 || v > 100 {
		p.century = true
		label = 'Y'
	}
	return p.appendItem(v, label)
}

func (p *dateParse) appendItem(v int, label byte) string {
	if len(p.ymd) == 3 {
		return "more than three date numbers"
	}
	if label != 0 {
		for _, it := range p.ymd {
			if it.label == label {
				if label == 'M' {
					return "two months"
				}
				return "two years"
			}
		}
	}
	p.ymd = append(p.ymd, ymdItem{v, label})
	return ""
}

func (p *dateParse) hasLabel(l byte) (int, bool) {
	for i, it := range p.ymd {
		if it.label == l {
			return i, true
		}
	}
	return -1, false
}

// couldBeDay is dateutil's _ymd.could_be_day.
func (p *dateParse) couldBeDay(v int) bool {
	mi, hasM := p.hasLabel('M')
	if !hasM {
		return v >= 1 && v <= 31
	}
	year := 2000
	if yi, ok := p.hasLabel('Y'); ok {
		year = p.ymd[yi].v
	}
	return v >= 1 && v <= daysIn(year, p.ymd[mi].v)
}

// parseLoose parses t; on failure it returns a reason.
func parseLoose(t string, fuzzyWords bool) (time.Time, string) {
	p := &dateParse{toks: lex(t), fuzzySyms: true, fuzzyWords: fuzzyWords, hour: -1, min: -1, sec: -1, ampm: -1}
	for i := 0; i < len(p.toks); {
		next, reason := p.step(i)
		if reason != "" {
			return time.Time{}, reason
		}
		i = next
	}
	return p.build()
}

// skip handles a token no rule takes: fuzzy parsing passes over it,
// otherwise it is an error.
func (p *dateParse) skip(i int, what string) (int, string) {
	if p.fuzzyWords || (p.fuzzySyms && p.toks[i].kind == tokSym) {
		return i + 1, ""
	}
	return 0, what + " " + quote(p.toks[i].text) + " is not part of a date"
}

func (p *dateParse) step(i int) (int, string) {
	tk := p.toks[i]
	switch tk.kind {
	case tokNum:
		return p.number(i)
	case tokWord:
		return p.word(i)
	}
	// Symbols.
	if (tk.text == "+" || tk.text == "-") && p.hour >= 0 {
		if _, ok := p.num(i + 1); ok {
			return p.offsetAt(i)
		}
	}
	if isJumpSym(tk.text) {
		return i + 1, ""
	}
	return p.skip(i, "symbol")
}

func (p *dateParse) word(i int) (int, string) {
	w := p.toks[i].text
	lw := lowerASCII(w)
	if weekdayNames[lw] {
		return i + 1, ""
	}
	if m, ok := monthNames[lw]; ok {
		if r := p.appendItem(m, 'M'); r != "" {
			return 0, r
		}
		// "Jan-01-2020", "Aug/2018"
		if p.sym(i+1, "-") || p.sym(i+1, "/") {
			sep := p.toks[i+1].text
			if d, ok := p.num(i + 2); ok {
				if r := p.appendYMD(d); r != "" {
					return 0, r
				}
				if p.sym(i+3, sep) {
					if d, ok := p.num(i + 4); ok {
						if r := p.appendYMD(d); r != "" {
							return 0, r
						}
						return i + 5, ""
					}
				}
				return i + 3, ""
			}
		}
		return i + 1, ""
	}
	if ap := ampmOf(w); ap >= 0 {
		if p.hour >= 0 && p.ampm < 0 {
			// dateutil's fuzzy mode ignores am/pm after a 24-hour
			// time ("13:30 pm"); the hour is unambiguous.
			if p.hour <= 12 {
				p.setAMPM(ap)
			}
			return i + 1, ""
		}
		if p.hour < 0 && !p.fuzzyWords {
			return 0, "am/pm without an hour"
		}
		return p.skip(i, "word")
	}
	if jumpWords[lw] {
		return i + 1, ""
	}
	// A time zone name, as dateutil guesses it: after a time, up to five
	// letters, all capitals (or one of UTC, GMT, Z, z). UTC names are also
	// taken after a date without time, where dateutil skips them: the
	// value is read as UTC either way.
	if (p.hour >= 0 && len(w) <= 5 && isUpper(w)) || isUTCName(w) {
		if isUTCName(w) {
			if p.sym(i+1, "+") || p.sym(i+1, "-") {
				return 0, "a zone like " + quote(w+p.toks[i+1].text+"N") + " is ambiguous (POSIX reverses its sign)"
			}
			if p.tzSet && p.offset != 0 {
				return 0, "two different time zones"
			}
			p.tzSet, p.offset = true, 0
			return i + 1, ""
		}
		return 0, "unknown time zone " + quote(w)
	}
	return p.skip(i, "word")
}

func isUTCName(w string) bool { return w == "UTC" || w == "GMT" || w == "Z" || w == "z" }

func isUpper(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

func (p *dateParse) setAMPM(ap int) {
	p.ampm = ap
	if ap == 1 && p.hour < 12 {
		p.hour += 12
	} else if ap == 0 && p.hour == 12 {
		p.hour = 0
	}
}

// offsetAt reads "+HHMM", "+HH:MM" or "+HH" at token i (the sign), and an
// optional "(NAME)" after it, as in mail dates.
func (p *dateParse) offsetAt(i int) (int, string) {
	if p.tzSet && !p.fuzzyWords {
		return 0, "two time zones"
	}
	sign := 1
	if p.toks[i].text == "-" {
		sign = -1
	}
	d, _ := p.num(i + 1)
	var h, m int
	next := i + 2
	switch {
	case len(d) == 4:
		h, _ = digitsValue(d[:2])
		m, _ = digitsValue(d[2:])
	case len(d) <= 2 && p.sym(i+2, ":"):
		md, ok := p.num(i + 3)
		if !ok || len(md) != 2 {
			return 0, "bad zone offset"
		}
		h, _ = digitsValue(d)
		m, _ = digitsValue(md)
		next = i + 4
	case len(d) <= 2:
		h, _ = digitsValue(d)
	default:
		return 0, "bad zone offset " + quote(d)
	}
	if m > 59 || h*60+m >= 24*60 {
		return 0, "zone offset out of range"
	}
	p.tzSet, p.offset = true, sign*(h*3600+m*60)
	if p.sym(next, "(") && next+2 < len(p.toks) && p.toks[next+1].kind == tokWord && p.sym(next+2, ")") {
		next += 3
	}
	return next, ""
}

func (p *dateParse) number(i int) (int, string) {
	d := p.toks[i].text
	n := len(d)
	// HHMM or HH after a complete date: "20190101 2359".
	if len(p.ymd) == 3 && (n == 2 || n == 4) && p.hour < 0 && !p.sym(i+1, ":") {
		p.hour, _ = digitsValue(d[:2])
		p.min = 0
		if n == 4 {
			p.min, _ = digitsValue(d[2:])
		}
		return i + 1, ""
	}
	// YYMMDD, or HHMMSS[.ffff] once a date is known.
	if n == 6 {
		frac := p.sym(i+1, ".") || p.sym(i+1, ",")
		if _, ok := p.num(i + 2); !ok {
			frac = false
		}
		if len(p.ymd) == 0 && !frac {
			for _, part := range []string{d[:2], d[2:4], d[4:]} {
				v, _ := digitsValue(part)
				if r := p.appendItem(v, 0); r != "" {
					return 0, r
				}
			}
			return i + 1, ""
		}
		p.hour, _ = digitsValue(d[:2])
		p.min, _ = digitsValue(d[2:4])
		p.sec, _ = digitsValue(d[4:])
		if frac {
			p.us = fracMicros(p.toks[i+2].text)
			return i + 3, ""
		}
		return i + 1, ""
	}
	// YYYYMMDD[HHMM[SS]]
	if n == 8 || n == 12 || n == 14 {
		y, _ := digitsValue(d[:4])
		p.century = true
		if r := p.appendItem(y, 'Y'); r != "" {
			return 0, r
		}
		for _, part := range []string{d[4:6], d[6:8]} {
			v, _ := digitsValue(part)
			if r := p.appendItem(v, 0); r != "" {
				return 0, r
			}
		}
		if n > 8 {
			p.hour, _ = digitsValue(d[8:10])
			p.min, _ = digitsValue(d[10:12])
			if n > 12 {
				p.sec, _ = digitsValue(d[12:])
			}
		}
		return i + 1, ""
	}
	// HH:MM[:SS[.ffff]]
	if p.sym(i+1, ":") {
		md, ok := p.num(i + 2)
		if !ok || n > 2 || len(md) > 2 {
			return p.skip(i, "number")
		}
		p.hour, _ = digitsValue(d)
		p.min, _ = digitsValue(md)
		p.sec = 0
		next := i + 3
		if p.sym(next, ":") {
			if sd, ok := p.num(next + 1); ok && len(sd) <= 2 {
				p.sec, _ = digitsValue(sd)
				next += 2
				if (p.sym(next, ".") || p.sym(next, ",")) && !p.toks[next].space {
					if fd, ok := p.num(next + 1); ok {
						p.us = fracMicros(fd)
						next += 2
					}
				}
			}
		}
		return next, ""
	}
	// A date with separators: 01-01[-01], 01/Jan[/2001], 2019.02.01
	if p.sym(i+1, "-") || p.sym(i+1, "/") || p.sym(i+1, ".") {
		sep := p.toks[i+1].text
		if r := p.appendYMD(d); r != "" {
			return 0, r
		}
		next := i + 2
		if r, ok := p.dateMember(next); ok {
			if r != "" {
				return 0, r
			}
			next++
			if sep == "." && !p.sym(next, sep) {
				// dateutil reads "1.5" as a decimal number, not a date.
				return 0, quote(d+"."+p.toks[i+2].text) + " is a decimal number"
			}
			if p.sym(next, sep) {
				if r, ok := p.dateMember(next + 1); ok {
					if r != "" {
						return 0, r
					}
					next += 2
				}
			}
		}
		return next, ""
	}
	v, ok := digitsValue(d)
	if !ok {
		return p.skip(i, "number")
	}
	// A number on its own: an hour if am/pm follows, else a date part.
	if p.boundaryAfter(i) {
		if i+1 < len(p.toks) && p.toks[i+1].kind == tokWord && ampmOf(p.toks[i+1].text) >= 0 {
			return p.hourAMPM(i, v, i+1)
		}
		if r := p.appendYMD(d); r != "" {
			return 0, r
		}
		return i + 1, ""
	}
	if i+1 < len(p.toks) && p.toks[i+1].kind == tokWord && ampmOf(p.toks[i+1].text) >= 0 {
		return p.hourAMPM(i, v, i+1)
	}
	if p.couldBeDay(v) {
		if r := p.appendItem(v, 0); r != "" {
			return 0, r
		}
		return i + 1, ""
	}
	return p.skip(i, "number")
}

func (p *dateParse) hourAMPM(i, v, j int) (int, string) {
	if v > 12 {
		return 0, "hour " + itoa(v) + " with am/pm"
	}
	p.hour, p.min, p.sec = v, 0, 0
	p.setAMPM(ampmOf(p.toks[j].text))
	return j + 1, ""
}

// dateMember reads the second or third member of a separated date: a
// number or a month name. ok is false when token i is neither.
func (p *dateParse) dateMember(i int) (string, bool) {
	if i >= len(p.toks) {
		return "", false
	}
	tk := p.toks[i]
	switch tk.kind {
	case tokNum:
		return p.appendYMD(tk.text), true
	case tokWord:
		if m, ok := monthNames[lowerASCII(tk.text)]; ok {
			return p.appendItem(m, 'M'), true
		}
	}
	return "", false
}

// fracMicros reads a fraction of a second, cut to microseconds as
// dateutil does.
func fracMicros(d string) int {
	if len(d) > 6 {
		d = d[:6]
	}
	n, _ := digitsValue(d)
	for j := len(d); j < 6; j++ {
		n *= 10
	}
	return n
}

func itoa(n int) string {
	if n >= 0 && n < 10 {
		return string(rune('0' + n))
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// resolve is dateutil's resolve_ymd with dayfirst and yearfirst off.
func (p *dateParse) resolve() (year, month, day int, reason string) {
	year, month, day = -1, -1, -1
	y := p.ymd
	n := len(y)
	mi, hasM := p.hasLabel('M')
	yi, hasY := p.hasLabel('Y')
	labels := 0
	if hasM {
		labels++
	}
	if hasY {
		labels++
	}
	// Every member labelled, or three members with two labelled.
	if (n == labels && n > 0) || (n == 3 && labels == 2) {
		for i, it := range y {
			switch {
			case hasM && i == mi:
				month = it.v
			case hasY && i == yi:
				year = it.v
			default:
				day = it.v
			}
		}
		return
	}
	switch {
	case n == 0:
	case n == 1 || (hasM && n == 2):
		other := y[0].v
		if hasM {
			month = y[mi].v
			if mi > 0 {
				other = y[mi-1].v
			} else {
				other = y[n-1].v // Python's y[-1]
			}
		}
		if n > 1 || !hasM {
			if other > 31 {
				year = other
			} else {
				day = other
			}
		}
	case n == 2:
		switch {
		case y[0].v > 31:
			year, month = y[0].v, y[1].v
		case y[1].v > 31:
			month, year = y[0].v, y[1].v
		default:
			month, day = y[0].v, y[1].v
		}
	case n == 3:
		a, b, c := y[0].v, y[1].v, y[2].v
		switch {
		case hasM && mi == 0:
			if b > 31 {
				month, year, day = a, b, c
			} else {
				month, day, year = a, b, c
			}
		case hasM && mi == 1:
			if a > 31 {
				year, month, day = a, b, c
			} else {
				day, month, year = a, b, c
			}
		case hasM && mi == 2:
			if b > 31 {
				day, year, month = a, b, c
			} else {
				year, day, month = a, b, c
			}
		default:
			if a > 31 || (hasY && yi == 0) {
				year, month, day = a, b, c
			} else if a > 12 {
				day, month, year = a, b, c
			} else {
				month, day, year = a, b, c
			}
		}
	default:
		reason = "more than three date numbers"
	}
	return
}

func (p *dateParse) build() (time.Time, string) {
	year, month, day, reason := p.resolve()
	if reason != "" {
		return time.Time{}, reason
	}
	if month < 0 && day < 0 && year < 0 {
		if p.hour >= 0 {
			return time.Time{}, "a time without a date"
		}
		return time.Time{}, "no date found"
	}
	if month < 0 {
		return time.Time{}, "no month (it would be taken from today)"
	}
	if day < 0 {
		return time.Time{}, "no day of month (it would be taken from today)"
	}
	if year < 0 {
		year = now().UTC().Year()
	} else if year < 100 && !p.century {
		// dateutil's convertyear: the two-digit year nearest to now,
		// within 50 years.
		cur := now().UTC().Year()
		year += cur / 100 * 100
		if year >= cur+50 {
			year -= 100
		} else if year < cur-50 {
			year += 100
		}
	}
	if month < 1 || month > 12 {
		return time.Time{}, "month " + itoa(month) + " out of range"
	}
	if year < 1 || year > 9999 {
		return time.Time{}, "year " + itoa(year) + " out of range"
	}
	if day < 1 || day > daysIn(year, month) {
		return time.Time{}, "day " + itoa(day) + " out of range for the month"
	}
	hour, min, sec := p.hour, p.min, p.sec
	if hour < 0 {
		hour, min, sec = 0, 0, 0
	}
	if min < 0 {
		min = 0
	}
	if sec < 0 {
		sec = 0
	}
	if hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, "time of day out of range"
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, p.us*1000, time.UTC)
	if p.offset != 0 {
		t = t.Add(-time.Duration(p.offset) * time.Second)
	}
	return t, ""
}
