package sanitize

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds the time conversions IntelMQ parsers select with their
// "time_format" parameter (DateTime.convert and DateTime.TIME_CONVERSIONS
// in IntelMQ).

// FromTimestamp reads Unix time in seconds, integer or fractional
// ("1495782036", "1495782036.25"), as IntelMQ's from_timestamp
// (datetime.fromtimestamp(float(value), UTC)): the fraction is rounded to
// microseconds, half to even.
func FromTimestamp(s string) (time.Time, error) {
	f, err := Float(s)
	if err != nil {
		return time.Time{}, invalid(s, "is not a Unix timestamp")
	}
	t, ok := fromUnixFloat(f)
	if !ok {
		return time.Time{}, invalid(s, "is a Unix timestamp out of the range of years 1 to 9999")
	}
	return t, nil
}

// FromTimestampFloat is FromTimestamp for a number already decoded (a
// JSON number).
func FromTimestampFloat(f float64) (time.Time, error) {
	t, ok := fromUnixFloat(f)
	if !ok {
		return time.Time{}, invalid(strconv.FormatFloat(f, 'f', -1, 64), "is not a Unix timestamp in the range of years 1 to 9999")
	}
	return t, nil
}

// Python's datetime range in Unix seconds.
const (
	minUnix = -62135596800 // 0001-01-01T00:00:00Z
	maxUnix = 253402300799 // 9999-12-31T23:59:59Z
)

func fromUnixFloat(f float64) (time.Time, bool) {
	if math.IsNaN(f) || f < minUnix || f >= maxUnix+1 {
		return time.Time{}, false
	}
	whole, frac := math.Modf(f)
	sec := int64(whole)
	us := int64(math.RoundToEven(frac * 1e6))
	t := time.Unix(sec, us*1000).UTC()
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, false
	}
	return t, true
}

// FromEpochMillis is IntelMQ's from_epoch_millis, which despite its name
// decides by the number of characters: 10 are seconds, 13 milliseconds, and
// 12 are divided by 100 (as IntelMQ does); fractions are cut. IntelMQ
// returns nothing for any other length, which makes the field silently
// missing; we return an error.
func FromEpochMillis(s string) (time.Time, error) {
	n, ok := parsePyInt(s)
	if !ok {
		return time.Time{}, invalid(s, "is not an epoch timestamp (an integer)")
	}
	switch len(s) {
	case 10:
	case 12:
		n = floorDiv(n, 100)
	case 13:
		n = floorDiv(n, 1000)
	default:
		return time.Time{}, invalid(s, "is not an epoch timestamp: epoch_millis takes 10 (seconds), 12 or 13 (milliseconds) characters")
	}
	if n < minUnix || n > maxUnix {
		return time.Time{}, invalid(s, "is an epoch timestamp out of the range of years 1 to 9999")
	}
	return time.Unix(n, 0).UTC(), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ntEpoch is the start of Windows NT time.
var ntEpoch = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)

// FromWindowsNT reads Windows NT / LDAP / Active Directory time: 100 ns
// intervals since 1601-01-01 UTC. Like IntelMQ, which multiplies by 1e-7
// in floating point, the result is rounded to microseconds through a
// float64 and so can be a microsecond off the exact value
// ("132348340630510000" gives .050999); we keep that so that times equal
// IntelMQ's.
func FromWindowsNT(s string) (time.Time, error) {
	n, ok := parsePyInt(s)
	if !ok {
		return time.Time{}, invalid(s, "is not a Windows NT timestamp (an integer)")
	}
	secs := float64(n) * 1e-7
	whole, frac := math.Modf(secs)
	us := math.RoundToEven(frac * 1e6)
	t := time.Unix(ntEpoch.Unix()+int64(whole), int64(us)*1000).UTC()
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, invalid(s, "is a Windows NT timestamp out of the range of years 1 to 9999")
	}
	return t, nil
}

// FromFormat parses value with layout, which is a Python strftime format
// (when it contains "%": "%Y-%m-%d %H:%M:%S", as IntelMQ feeds configure
// it) or a Go layout ("2006-01-02 15:04:05"). A value without zone is UTC;
// the result is in UTC. This is IntelMQ's from_format.
func FromFormat(value, layout string) (time.Time, error) {
	if !strings.Contains(layout, "%") {
		t, err := time.Parse(layout, value)
		if err != nil {
			return time.Time{}, invalid(value, "does not match the time layout "+quote(layout))
		}
		return checkRange(value, t)
	}
	l, err := ParseLayout(layout)
	if err != nil {
		return time.Time{}, err
	}
	t, err := l.Parse(value)
	if err != nil {
		return time.Time{}, err
	}
	return checkRange(value, t)
}

// FromFormatMidnight parses a date with layout (as FromFormat) and returns
// midnight UTC of that date, ignoring any time of day or zone in the
// value: IntelMQ's from_format_midnight.
func FromFormatMidnight(value, layout string) (time.Time, error) {
	if !strings.Contains(layout, "%") {
		t, err := time.Parse(layout, value)
		if err != nil {
			return time.Time{}, invalid(value, "does not match the time layout "+quote(layout))
		}
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	l, err := ParseLayout(layout)
	if err != nil {
		return time.Time{}, err
	}
	return l.ParseMidnight(value)
}

var (
	isoLayout     = mustLayout("%Y-%m-%dT%H:%M:%S+00:00")
	isoFracLayout = mustLayout("%Y-%m-%dT%H:%M:%S.%f+00:00")
)

func mustLayout(f string) *Layout {
	l, err := ParseLayout(f)
	if err != nil {
		panic(err)
	}
	return l
}

// UTCISOFormat reads what IntelMQ itself writes, "2006-01-02T15:04:05+00:00"
// with an optional fraction, and nothing else: IntelMQ's utc_isoformat
// (from_isoformat), which matches with strptime and so also takes
// one-digit fields ("2019-3-2T1:2:3+00:00").
func UTCISOFormat(s string) (time.Time, error) {
	if t, ok := parseCanonical(s); ok {
		return t, nil
	}
	if t, err := isoLayout.Parse(s); err == nil {
		return t, nil
	}
	if t, err := isoFracLayout.Parse(s); err == nil {
		return t, nil
	}
	return time.Time{}, invalid(s, "is not in the form 2006-01-02T15:04:05[.ffffff]+00:00")
}

// FromFuzzy is IntelMQ's "fuzzy" time format (and its default): dateutil's
// fuzzy parser, which also skips words it does not know, so that a date
// can be picked out of text like "Generated at 2017-02-26 23:53:56 UTC".
// Apart from skipping words it follows DateTime, including what DateTime
// refuses (unknown zone names, dates missing day or month).
func FromFuzzy(s string) (time.Time, error) { return parseDateTime(s, true) }

// TimeFormat is a parsed IntelMQ "time_format" parameter. Parse it once
// when a parser starts (ParseTimeFormat), then Convert each value, as
// IntelMQ's TimeFormat class does.
type TimeFormat struct {
	name string
	conv func(string) (time.Time, error)
}

// ParseTimeFormat parses IntelMQ's time format names: "timestamp",
// "windows_nt", "epoch_millis", "utc_isoformat", "fuzzy",
// "from_format|<format>", "from_format_midnight|<format>", and "" (no
// format given), which means fuzzy as in IntelMQ.
func ParseTimeFormat(format string) (*TimeFormat, error) {
	tf := &TimeFormat{name: format}
	name, arg, hasArg := strings.Cut(format, "|")
	switch {
	case !hasArg && (format == "" || format == "fuzzy"):
		tf.conv = FromFuzzy
	case !hasArg && format == "timestamp":
		tf.conv = FromTimestamp
	case !hasArg && format == "windows_nt":
		tf.conv = FromWindowsNT
	case !hasArg && format == "epoch_millis":
		tf.conv = FromEpochMillis
	case !hasArg && format == "utc_isoformat":
		tf.conv = UTCISOFormat
	case hasArg && (name == "from_format" || name == "from_format_midnight"):
		midnight := name == "from_format_midnight"
		if !strings.Contains(arg, "%") {
			if midnight {
				tf.conv = func(v string) (time.Time, error) { return FromFormatMidnight(v, arg) }
			} else {
				tf.conv = func(v string) (time.Time, error) { return FromFormat(v, arg) }
			}
			break
		}
		l, err := ParseLayout(arg)
		if err != nil {
			return nil, err
		}
		if midnight {
			tf.conv = l.ParseMidnight
		} else {
			tf.conv = func(v string) (time.Time, error) {
				t, err := l.Parse(v)
				if err != nil {
					return time.Time{}, err
				}
				return checkRange(v, t)
			}
		}
	default:
		return nil, &ValueError{Value: format, Reason: "is not a time format (timestamp, windows_nt, epoch_millis, utc_isoformat, fuzzy, from_format|FORMAT, from_format_midnight|FORMAT)"}
	}
	return tf, nil
}

// String returns the format as given.
func (tf *TimeFormat) String() string { return tf.name }

// Convert converts one value; the result is in UTC.
func (tf *TimeFormat) Convert(value string) (time.Time, error) {
	return tf.conv(value)
}

// Convert converts value with IntelMQ time format format (see
// ParseTimeFormat). It parses the format on every call; a parser that
// converts many values keeps a TimeFormat instead.
func Convert(value, format string) (time.Time, error) {
	tf, err := ParseTimeFormat(format)
	if err != nil {
		return time.Time{}, err
	}
	return tf.Convert(value)
}
