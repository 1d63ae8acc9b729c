// Package timespec reads the time limits of IntelMQ's filter and sieve
// experts: an absolute time ("2015-09-12T06:22:11+00:00", "2015-09-12") or
// a time relative to now ("1 week", "6 months"). The units and their
// lengths are IntelMQ's: second, minute, hour, day, week, month (30 days)
// and year (365 days), each optionally with a trailing "s".
package timespec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho/sanitize"
)

// Units are the relative time units and their lengths.
var Units = map[string]time.Duration{
	"second": time.Second,
	"minute": time.Minute,
	"hour":   time.Hour,
	"day":    24 * time.Hour,
	"week":   7 * 24 * time.Hour,
	"month":  30 * 24 * time.Hour,
	"year":   365 * 24 * time.Hour,
}

// Spec is an absolute time or a span back from now.
type Spec struct {
	Abs      time.Time
	Rel      time.Duration
	Relative bool
}

// At returns the time the spec names at now: Abs, or now minus Rel.
func (s Spec) At(now time.Time) time.Time {
	if s.Relative {
		return now.Add(-s.Rel)
	}
	return s.Abs
}

// String returns the spec as it can be read back.
func (s Spec) String() string {
	if s.Relative {
		return s.Rel.String() + " ago"
	}
	return sanitize.FormatDateTime(s.Abs)
}

// Parse reads a relative ("<integer> <unit>") or absolute time. Absolute
// times are read by IntelMQ's DateTime rules (a time without zone is UTC, a
// date alone is midnight UTC).
func Parse(s string) (Spec, error) {
	if d, ok, err := relative(s); ok {
		if err != nil {
			return Spec{}, err
		}
		return Spec{Rel: d, Relative: true}, nil
	}
	t, err := sanitize.DateTime(strings.TrimSpace(s))
	if err != nil {
		return Spec{}, fmt.Errorf("%q is neither a time nor a relative time like \"2 days\" (units: second, minute, hour, day, week, month, year)", s)
	}
	return Spec{Abs: t}, nil
}

// ParseRelative reads "<integer> <unit>" only.
func ParseRelative(s string) (time.Duration, error) {
	d, ok, err := relative(s)
	if !ok && err == nil {
		err = fmt.Errorf("%q is not a relative time like \"2 days\" (units: second, minute, hour, day, week, month, year)", s)
	}
	return d, err
}

// relative reads "<digits> <unit>"; ok says the text has that shape.
func relative(s string) (time.Duration, bool, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok || num == "" {
		return 0, false, nil
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, false, nil
		}
	}
	unit = strings.TrimLeft(unit, " \t")
	base := strings.TrimSuffix(unit, "s")
	d, known := Units[base]
	if !known {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > int64(1<<63-1)/int64(d) {
		return 0, true, fmt.Errorf("%q: the span is too long", s)
	}
	return time.Duration(n) * d, true, nil
}
