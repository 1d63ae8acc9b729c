package http

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FormatURL fills the time placeholders of an IntelMQ http_url: as
// Python's str.format does with IntelMQ's time object, {time[FORMAT]}
// becomes t formatted by the strftime FORMAT, and {{ and }} stand for
// { and }. Any other placeholder is an error, as it is in IntelMQ.
func FormatURL(tmpl string, t time.Time) (string, error) {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch c {
		case '}':
			if i+1 < len(tmpl) && tmpl[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", fmt.Errorf("single '}' at %d in %q", i, tmpl)
		case '{':
			if i+1 < len(tmpl) && tmpl[i+1] == '{' {
				b.WriteByte('{')
				i++
				continue
			}
			rest := tmpl[i+1:]
			if !strings.HasPrefix(rest, "time[") {
				return "", fmt.Errorf("unknown placeholder at %d in %q: only {time[FORMAT]} is known", i, tmpl)
			}
			end := strings.Index(rest, "]}")
			if end < 0 || strings.IndexByte(rest[len("time["):end], ']') >= 0 {
				return "", fmt.Errorf("unterminated {time[...]} at %d in %q", i, tmpl)
			}
			b.WriteString(Strftime(rest[len("time["):end], t))
			i += end + len("]}")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// Strftime formats t as C's (and Python's) strftime does for the usual
// directives; an unknown directive is kept as it is, as glibc keeps it.
func Strftime(format string, t time.Time) string {
	var b strings.Builder
	pad := func(n, width int) {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = "0" + s
		}
		b.WriteString(s)
	}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			pad(t.Year(), 4)
		case 'y':
			pad(t.Year()%100, 2)
		case 'C':
			pad(t.Year()/100, 2)
		case 'm':
			pad(int(t.Month()), 2)
		case 'd':
			pad(t.Day(), 2)
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			pad(t.Hour(), 2)
		case 'I':
			pad((t.Hour()+11)%12+1, 2)
		case 'M':
			pad(t.Minute(), 2)
		case 'S':
			pad(t.Second(), 2)
		case 'f':
			pad(t.Nanosecond()/1000, 6)
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'j':
			pad(t.YearDay(), 3)
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'w':
			pad(int(t.Weekday()), 1)
		case 'u':
			pad((int(t.Weekday())+6)%7+1, 1)
		case 'U':
			pad((t.YearDay()+6-int(t.Weekday()))/7, 2)
		case 'W':
			pad((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2)
		case 'G':
			y, _ := t.ISOWeek()
			pad(y, 4)
		case 'V':
			_, w := t.ISOWeek()
			pad(w, 2)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'F':
			b.WriteString(Strftime("%Y-%m-%d", t))
		case 'T':
			b.WriteString(Strftime("%H:%M:%S", t))
		case 'D':
			b.WriteString(Strftime("%m/%d/%y", t))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// timedeltaUnits are the keyword arguments of Python's timedelta, which
// IntelMQ's http_url_formatting takes as a JSON object.
var timedeltaUnits = map[string]time.Duration{
	"weeks": 7 * 24 * time.Hour, "days": 24 * time.Hour, "hours": time.Hour, "minutes": time.Minute,
	"seconds": time.Second, "milliseconds": time.Millisecond, "microseconds": time.Microsecond,
}

// parseDelta reads an http_url_formatting object ({"days": -1}) as a
// duration.
func parseDelta(obj map[string]any) (time.Duration, error) {
	var d time.Duration
	for k, v := range obj {
		unit, ok := timedeltaUnits[k]
		if !ok {
			return 0, fmt.Errorf("%q is not a timedelta unit (weeks, days, hours, minutes, seconds, milliseconds, microseconds)", k)
		}
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		default:
			return 0, fmt.Errorf("%s: %v (%T) is not a number", k, v, v)
		}
		if math.IsNaN(f) || math.Abs(f*float64(unit)) > float64(100*365*24*time.Hour) {
			return 0, fmt.Errorf("%s: %v is out of range", k, v)
		}
		d += time.Duration(f * float64(unit))
	}
	return d, nil
}
