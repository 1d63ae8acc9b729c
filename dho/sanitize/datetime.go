package sanitize

import (
	"slices"
	"strconv"
	"time"
)

// now is the clock that fills in a missing year, as dateutil fills missing
// fields from today. Tests replace it.
var now = time.Now

// minTime and maxTime bound what Python's datetime can hold (years 1 to
// 9999); IntelMQ cannot produce or read anything outside.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// DateTime is IntelMQ's DateTime sanitizer. It returns the instant in UTC,
// truncated to microseconds (what Python's datetime holds).
//
// The canonical form "2006-01-02T15:04:05+00:00" (with or without a
// fraction) is read by a fast path without allocating; every other value
// goes through a parser that follows dateutil's parser.parse(value,
// fuzzy=True), which IntelMQ uses:
//
//   - ISO 8601 with "T" or a space, with or without seconds and a
//     fraction ("." or ","; digits beyond microseconds are cut, not
//     rounded), date only, or run together ("20170226235356");
//   - a zone as "Z", "UTC", "GMT", "+02:00", "+0200" or "+02", with or
//     without a space before it; a value without zone is UTC;
//   - English month and weekday names, full or abbreviated, in any case:
//     "Jan 2 2006 15:04:05", "02 Jan 2006", "December 14th, 2015",
//     RFC 1123/2822 mail dates ("Mon, 14 Sep 2015 04:39:22 +0000 (UTC)"),
//     ctime ("Tue Dec 15 15:33:38 2015 UTC"), Apache logs
//     ("01/Aug/2018:09:49:41 +0200");
//   - numeric dates with "-", "/" or "." in dateutil's order: month first
//     when ambiguous ("01/02/2019" is 2 January), day first when the first
//     number cannot be a month ("21-06-2019"), year first when it has four
//     digits; two-digit years within 50 years of today;
//   - 12-hour times with "am"/"pm".
//
// A value without a year gets the current year, as dateutil gives it (the
// year is often missing in syslog-style dates, "Jan 2 15:04:05").
//
// Where dateutil would invent or misread a value, we refuse it instead:
// a date without day or month (dateutil takes them from today), a time
// without date, an unknown time zone name ("CET", "EST", "PDT": dateutil
// ignores them and IntelMQ then reads the time as UTC), "UTC+2"-style zones
// (dateutil inverts their sign, POSIX style), and words that are neither
// month, weekday, zone nor one of dateutil's filler words ("at", "on",
// "of", "the" ...). Unix timestamps are refused too, as by IntelMQ's
// sanitizer; parsers convert them with FromTimestamp or Convert.
func DateTime(s string) (time.Time, error) { return parseDateTime(s, false) }

// parseDateTime is DateTime, or with fuzzy FromFuzzy: the two differ only
// in whether the loose parser skips words it does not know.
func parseDateTime(s string, fuzzy bool) (time.Time, error) {
	if t, ok := parseCanonical(s); ok {
		return t, nil
	}
	t := trimSpace(s)
	if t == "" {
		return time.Time{}, invalid(s, "is not a date and time: it is empty")
	}
	if r, ok := parseISO(t); ok {
		return checkRange(s, r)
	}
	r, reason := parseLoose(t, fuzzy)
	if reason != "" {
		return time.Time{}, invalid(s, "is not a date and time: "+reason)
	}
	return checkRange(s, r)
}

// DateTimeString is DateTime returning IntelMQ's canonical text. Like
// IntelMQ, it returns a value already in the form
// "2006-01-02T15:04:05[.f]+00:00" as given (IntelMQ keeps a fraction of
// fewer than six digits, such as ".5", as written); every other value is
// formatted by FormatDateTime.
func DateTimeString(s string) (string, error) {
	if _, ok := parseCanonical(s); ok {
		return s, nil
	}
	t, err := DateTime(s)
	if err != nil {
		return "", err
	}
	return FormatDateTime(t), nil
}

func checkRange(s string, t time.Time) (time.Time, error) {
	t = t.UTC()
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, invalid(s, "is out of the range of years 1 to 9999")
	}
	return t.Truncate(time.Microsecond), nil
}

// FormatDateTime formats t as IntelMQ stores datetimes, which is Python's
// datetime.isoformat() of an aware UTC datetime: "2019-03-02T10:11:12+00:00",
// or with six fraction digits when the microseconds are not zero
// ("2019-03-02T10:11:12.123400+00:00"). Nanoseconds beyond the microsecond
// are cut, not rounded, as Python cannot hold them.
func FormatDateTime(t time.Time) string {
	t = t.UTC()
	var b [32]byte
	return string(appendDateTime(b[:0], t))
}

// AppendDateTime appends FormatDateTime(t) to b, for encoders that build
// output in a buffer.
func AppendDateTime(b []byte, t time.Time) []byte {
	return appendDateTime(b, t.UTC())
}

func appendDateTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	b = append4(b, year)
	b = append(b, '-')
	b = append2(b, int(month))
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, min)
	b = append(b, ':')
	b = append2(b, sec)
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		b = append2(b, us/10000)
		b = append2(b, us/100%100)
		b = append2(b, us%100)
	}
	return append(b, "+00:00"...)
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	if n < 0 || n > 9999 {
		return strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// parseCanonical reads exactly "YYYY-MM-DDTHH:MM:SS+00:00" or
// "YYYY-MM-DDTHH:MM:SS.f+00:00" with 1 to 6 fraction digits: what IntelMQ
// itself writes, and what its own fast path (from_isoformat) passes
// through.
func parseCanonical(s string) (time.Time, bool) {
	if len(s) < 25 || len(s) > 32 || s[len(s)-6:] != "+00:00" {
		return time.Time{}, false
	}
	year, month, day, hour, min, sec, ok := parseDateTimeDigits(s)
	if !ok {
		return time.Time{}, false
	}
	us := 0
	if len(s) > 25 {
		frac := s[19 : len(s)-6]
		if len(frac) < 2 || frac[0] != '.' {
			return time.Time{}, false
		}
		n, ok := digitsValue(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 6; i++ {
			n *= 10
		}
		us = n
	}
	if !ValidDate(year, month, day) || hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, us*1000, time.UTC), true
}

// parseDateTimeDigits reads "YYYY-MM-DDTHH:MM:SS" at the start of s
// (which must be at least 19 bytes).
func parseDateTimeDigits(s string) (year, month, day, hour, min, sec int, ok bool) {
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return
	}
	var ok1, ok2, ok3, ok4, ok5, ok6 bool
	year, ok1 = digitsValue(s[0:4])
	month, ok2 = digitsValue(s[5:7])
	day, ok3 = digitsValue(s[8:10])
	hour, ok4 = digitsValue(s[11:13])
	min, ok5 = digitsValue(s[14:16])
	sec, ok6 = digitsValue(s[17:19])
	ok = ok1 && ok2 && ok3 && ok4 && ok5 && ok6
	return
}

// digitsValue reads ASCII digits (at most 9).
func digitsValue(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ValidDate reports whether year-month-day is a day of the proleptic
// Gregorian calendar in years 1 to 9999 (what Python's datetime takes).
func ValidDate(year, month, day int) bool {
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
}

// HTTPDate turns the HTTP date form "Mon, 02 Jan 2006 15:04:05 GMT" into
// IntelMQ's "2006-01-02T15:04:05+00:00" straight from its digits, for
// feeds that write it in every row. It takes exactly that form with every
// part in range (the day within its month) and reports false for anything
// else, which the general parsers then decide; what it takes, time.Parse
// reads as the same instant.
func HTTPDate(v string) (string, bool) {
	if len(v) != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' || v[19] != ':' || v[22] != ':' || v[25:] != " GMT" {
		return "", false
	}
	if !slices.Contains(httpWeekdays[:], v[:3]) {
		return "", false
	}
	month := slices.Index(httpMonths[:], v[8:11]) + 1
	day, ok1 := digitsValue(v[5:7])
	year, ok2 := digitsValue(v[12:16])
	hour, ok3 := digitsValue(v[17:19])
	minute, ok4 := digitsValue(v[20:22])
	sec, ok5 := digitsValue(v[23:25])
	if month == 0 || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return "", false
	}
	var b [25]byte
	copy(b[:], "0000-00-00T00:00:00+00:00")
	copy(b[0:4], v[12:16])
	b[5], b[6] = byte('0'+month/10), byte('0'+month%10)
	copy(b[8:10], v[5:7])
	copy(b[11:13], v[17:19])
	copy(b[14:16], v[20:22])
	copy(b[17:19], v[23:25])
	return string(b[:]), true
}

var (
	httpWeekdays = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	httpMonths   = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseISO reads the ISO 8601 shapes feeds use most, without allocating:
// "YYYY-MM-DD", optionally followed by "T" or " " and "HH:MM[:SS[.f]]",
// optionally followed (with an optional space) by "Z", "z", "UTC", "GMT",
// "+HH:MM", "+HHMM" or "+HH". It gives the same result as parseLoose on
// these shapes (the fuzz test checks that) and declines everything else.
func parseISO(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	year, ok1 := digitsValue(s[0:4])
	month, ok2 := digitsValue(s[5:7])
	day, ok3 := digitsValue(s[8:10])
	if !ok1 || !ok2 || !ok3 || !ValidDate(year, month, day) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
	}
	if (s[10] != 'T' && s[10] != ' ') || len(s) < 16 || s[13] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := digitsValue(s[11:13])
	min, ok2 := digitsValue(s[14:16])
	if !ok1 || !ok2 || hour > 23 || min > 59 {
		return time.Time{}, false
	}
	rest := s[16:]
	sec, us := 0, 0
	if len(rest) >= 3 && rest[0] == ':' {
		v, ok := digitsValue(rest[1:3])
		if !ok || v > 59 {
			return time.Time{}, false
		}
		sec = v
		rest = rest[3:]
		if len(rest) >= 2 && (rest[0] == '.' || rest[0] == ',') {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			if i == 1 {
				return time.Time{}, false
			}
			frac := rest[1:i]
			if len(frac) > 6 {
				frac = frac[:6]
			}
			n, _ := digitsValue(frac)
			for j := len(frac); j < 6; j++ {
				n *= 10
			}
			us = n
			rest = rest[i:]
		}
	}
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
		if rest == "" {
			return time.Time{}, false
		}
	}
	offset := 0
	switch rest {
	case "", "Z", "z", "UTC", "GMT":
	default:
		if rest[0] != '+' && rest[0] != '-' {
			return time.Time{}, false
		}
		var oh, om int
		var ok bool
		switch len(rest) {
		case 3: // +HH
			oh, ok = digitsValue(rest[1:3])
		case 5: // +HHMM
			oh, ok = digitsValue(rest[1:3])
			if ok {
				om, ok = digitsValue(rest[3:5])
			}
		case 6: // +HH:MM
			if rest[3] != ':' {
				return time.Time{}, false
			}
			oh, ok = digitsValue(rest[1:3])
			if ok {
				om, ok = digitsValue(rest[4:6])
			}
		}
		if !ok || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if offset >= 24*3600 {
			return time.Time{}, false
		}
		if rest[0] == '-' {
			offset = -offset
		}
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, us*1000, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, true
}
