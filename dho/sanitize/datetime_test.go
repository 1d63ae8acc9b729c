package sanitize

import (
	"strings"
	"testing"
	"time"
)

// dtCase: want "" means refused. want is FormatDateTime of the result.
type dtCase struct{ in, want string }

func runDT(t *testing.T, name string, fn func(string) (time.Time, error), cases []dtCase) {
	t.Helper()
	for _, c := range cases {
		got, err := fn(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s(%q) = %s, want error", name, c.in, FormatDateTime(got))
			} else {
				checkErr(t, name, c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s(%q) error: %v; want %s", name, c.in, err, c.want)
			continue
		}
		if got.Location() != time.UTC {
			t.Errorf("%s(%q) location %v, want UTC", name, c.in, got.Location())
		}
		if s := FormatDateTime(got); s != c.want {
			t.Errorf("%s(%q) = %s, want %s", name, c.in, s, c.want)
			continue
		}
		// The canonical text reads back as the same instant.
		if again, err := DateTime(c.want); err != nil || !again.Equal(got) {
			t.Errorf("DateTime(%q) = %v, %v; not the same instant", c.want, again, err)
		}
	}
}

// dateTimeCases are the values DateTime accepts and refuses. The first
// group are the shapes found in the IntelMQ parser conformance cases
// (shared/conformance/intelmq-parsers), with the values IntelMQ produced.
var dateTimeCases = []dtCase{
	// From the conformance cases.
	{"2021-01-17 07:44:46", "2021-01-17T07:44:46+00:00"},                     // abusech-feodotracker
	{"2022-11-15", "2022-11-15T00:00:00+00:00"},                              // abusech-feodotracker
	{"2016-04-19T23:16:10+00:00", "2016-04-19T23:16:10+00:00"},               // anubisnetworks
	{"10 Nov 2016", "2016-11-10T00:00:00+00:00"},                             // bambenek-dga
	{"2016-11-12 18:02", "2016-11-12T18:02:00+00:00"},                        // bambenek-ip
	{"2015-12-09T04:43:29+0000", "2015-12-09T04:43:29+00:00"},                // blueliv
	{"2020-06-29T00:00:00.901916+00:00", "2020-06-29T00:00:00.901916+00:00"}, // cznic-haas
	{"2020-06-20 09:00:00 UTC", "2020-06-20T09:00:00+00:00"},                 // eset
	{"2019-09-30T17:15:11Z", "2019-09-30T17:15:11+00:00"},                    // hibp
	{"21-06-2019", "2019-06-21T00:00:00+00:00"},                              // html_table-viriback
	{"02-15", "2026-02-15T00:00:00+00:00"},                                   // html_table: year from today
	{"2018-02-06T09:37:02", "2018-02-06T09:37:02+00:00"},                     // microsoft-ctip
	{"2015-11-17T12:17:27.043452Z", "2015-11-17T12:17:27.043452+00:00"},      // n6
	{"2021-10-01T09:15:50.511189", "2021-10-01T09:15:50.511189+00:00"},       // shodan
	{"Mon, 14 Sep 2015 04:39:22 GMT", "2015-09-14T04:39:22+00:00"},           // spamhaus-drop
	{"Mon, 17 Aug 2015 14:36:19 +0000", "2015-08-17T14:36:19+00:00"},         // vxvault
	{"01/Aug/2018:09:49:41 +0200", "2018-08-01T07:49:41+00:00"},              // generic-csv (Apache log)
	{"Sunday May 24 2020 22:45:28.4870", "2020-05-24T22:45:28.487000+00:00"}, // microsoft-ctip azure
	{"20170226235356 UTC", "2017-02-26T23:53:56+00:00"},                      // malwarepatrol
	{"Tue Dec 15 15:33:38 2015 UTC", "2015-12-15T15:33:38+00:00"},            // dshield-block
	{"Tue Dec 15 15:35:02 2015 GMT", "2015-12-15T15:35:02+00:00"},            // cymru bogons
	{"2016-03-15T00:47:49-07:00", "2016-03-15T07:47:49+00:00"},               // dyn, after its own PDT handling

	// ISO 8601 variants.
	{"2019-03-02T10:11:12+00:00", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02T10:11:12.1234+00:00", "2019-03-02T10:11:12.123400+00:00"},
	{"2019-03-02T10:11:12.000000+00:00", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02 10:11:12", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02T10:11", "2019-03-02T10:11:00+00:00"},
	{"2019-03-02T10:11:12.123456789Z", "2019-03-02T10:11:12.123456+00:00"}, // cut, not rounded
	{"2019-03-02T10:11:12,5Z", "2019-03-02T10:11:12.500000+00:00"},
	{"2019-03-02T10:11:12z", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02 10:11:12 Z", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02 10:11:12 GMT", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02T10:11:12+02:00", "2019-03-02T08:11:12+00:00"},
	{"2019-03-02T10:11:12+0200", "2019-03-02T08:11:12+00:00"},
	{"2019-03-02T10:11:12+02", "2019-03-02T08:11:12+00:00"},
	{"2019-03-02T10:11:12 -05:30", "2019-03-02T15:41:12+00:00"},
	{"2019-03-02T00:30:00+01:00", "2019-03-01T23:30:00+00:00"},
	{"2019-03-02T10:11:12-00:00", "2019-03-02T10:11:12+00:00"},
	{"2019-03-02 T 10:11", "2019-03-02T10:11:00+00:00"},
	{"20190302", "2019-03-02T00:00:00+00:00"},
	{"201903021011", "2019-03-02T10:11:00+00:00"},
	{"2019-03-02 1011", "2019-03-02T10:11:00+00:00"},
	{"2019/03/02", "2019-03-02T00:00:00+00:00"},
	{"2019.03.02", "2019-03-02T00:00:00+00:00"},
	{"2019/3/2 3:04:05", "2019-03-02T03:04:05+00:00"},
	{"  2019-03-02  ", "2019-03-02T00:00:00+00:00"},

	// Names and other orders.
	{"Jan 2 2006 15:04:05", "2006-01-02T15:04:05+00:00"},
	{"Jan 2 15:04:05", "2026-01-02T15:04:05+00:00"}, // syslog: no year
	{"02 Jan 2006", "2006-01-02T00:00:00+00:00"},
	{"2 january 2006", "2006-01-02T00:00:00+00:00"},
	{"JANUARY 2, 2006", "2006-01-02T00:00:00+00:00"},
	{"December 14th, 2015", "2015-12-14T00:00:00+00:00"},
	{"1st of January 2020", "2020-01-01T00:00:00+00:00"},
	{"the 3rd of March 2020 at 10:00", "2020-03-03T10:00:00+00:00"},
	{"Sept 9 2019", "2019-09-09T00:00:00+00:00"},
	{"Jan-02-2006", "2006-01-02T00:00:00+00:00"},
	{"02-Jan-2006", "2006-01-02T00:00:00+00:00"},
	{"2006-Jan-02", "2006-01-02T00:00:00+00:00"},
	{"Monday, 02-Jan-06 15:04:05 UTC", "2006-01-02T15:04:05+00:00"}, // RFC 850
	{"Mon Jan  2 15:04:05 2006", "2006-01-02T15:04:05+00:00"},       // ctime
	{"Mon Jan 2 15:04:05 UTC 2006", "2006-01-02T15:04:05+00:00"},    // Unix date
	{"Mon, 02 Jan 2006 15:04:05 +0100 (CET)", "2006-01-02T14:04:05+00:00"},
	{"02/Jan/2006:15:04:05 -0700", "2006-01-02T22:04:05+00:00"},
	{"2006-01-02 15:04:05.999999999 +0000 UTC", "2006-01-02T15:04:05.999999+00:00"}, // Go's time.String
	{"15:04:05 2006-01-02", "2006-01-02T15:04:05+00:00"},
	{"2006-01-02 (Mon)", "2006-01-02T00:00:00+00:00"},
	{"Feb 29 2020", "2020-02-29T00:00:00+00:00"},

	// Numeric orders as dateutil: month first when ambiguous.
	{"01/02/2019", "2019-01-02T00:00:00+00:00"},
	{"01-02-2019", "2019-01-02T00:00:00+00:00"},
	{"13/02/2019", "2019-02-13T00:00:00+00:00"},
	{"12/31/99", "1999-12-31T00:00:00+00:00"},
	{"31/12/99", "1999-12-31T00:00:00+00:00"},
	{"99-12-31", "1999-12-31T00:00:00+00:00"},
	{"01/02/03", "2003-01-02T00:00:00+00:00"},
	{"06-01-02", "2002-06-01T00:00:00+00:00"},
	{"151214", "2014-12-15T00:00:00+00:00"}, // YYMMDD read as dateutil does
	{"00-01-01", ""},                        // month first: month 0
	{"1/2/2006 3:04:05 PM", "2006-01-02T15:04:05+00:00"},

	// 12-hour clock.
	{"2006-01-02 4pm", "2006-01-02T16:00:00+00:00"},
	{"2006-01-02 4 pm", "2006-01-02T16:00:00+00:00"},
	{"2006-01-02 12:30 am", "2006-01-02T00:30:00+00:00"},
	{"2006-01-02 12:30 pm", "2006-01-02T12:30:00+00:00"},
	{"2006-01-02 00:30 pm", "2006-01-02T12:30:00+00:00"},
	{"2006-01-02 13:30 pm", "2006-01-02T13:30:00+00:00"}, // pm ignored after a 24-hour time
	{"12 am 2006-01-02", "2006-01-02T00:00:00+00:00"},
	{"Dec 14, 2015 4:19 PM", "2015-12-14T16:19:00+00:00"},

	// Range limits.
	{"0001-01-01", "0001-01-01T00:00:00+00:00"},
	{"9999-12-31 23:59:59", "9999-12-31T23:59:59+00:00"},
	{"9999-12-31 23:59:59 -01:00", ""},
	{"0001-01-01 00:00:00 +01:00", ""},

	// Refused.
	{"", ""},
	{"   ", ""},
	{"garbage", ""},
	{"2019-13-01", ""},
	{"2019-02-30", ""},
	{"Feb 29 2019", ""},
	{"2019-03-02T24:00:00", ""},
	{"2019-03-02T10:60:00", ""},
	{"2019-03-02T10:11:60", ""},
	{"2019-03-02T10:11:12+24:00", ""},
	{"2019-03-02T10:11:12+01:75", ""},
	{"2019-03-02 10:11:12 CET", ""}, // dateutil ignores it and IntelMQ reads UTC
	{"2019-03-02 10:11:12 EST", ""},
	{"Tue Mar 15 00:47:49 PDT 2016", ""},
	{"2019-03-02 10:11:12 UTC+2", ""}, // dateutil reverses the sign
	{"2019-03-02 10:11:12 GMT-3", ""},
	{"2020", ""},          // dateutil takes month and day from today
	{"Jan 2020", ""},      // and the day
	{"10:00", ""},         // and the date
	{"1234567890", ""},    // IntelMQ's sanitizer refuses epochs too
	{"1495782036123", ""}, //
	{"0", ""},
	{"1.5", ""},
	{"hello 2019 world", ""},
	{"2019-01-01 foo", ""},
	{"2019-01-01 10:00 pm pm", ""},
	{"03 Aug 1975 -1400", ""}, // dateutil reads the offset as 14:00
	{"1 2 3 4", ""},
	{"Jan Feb 2019", ""},
	{"2019 2020 01", ""},
	{"am", ""},
	{"2006-01-02T15:04:05+01:00+02:00", ""},
}

func TestDateTime(t *testing.T) {
	runDT(t, "DateTime", DateTime, dateTimeCases)
}

func TestDateTimeTwoDigitYears(t *testing.T) {
	// dateutil puts a two-digit year within 50 years of today (2026 here).
	for in, want := range map[string]int{"01/02/75": 2075, "01/02/76": 1976, "01/02/26": 2026, "01/02/00": 2000} {
		got, err := DateTime(in)
		if err != nil || got.Year() != want {
			t.Errorf("DateTime(%q) = %v, %v; want year %d", in, got, err, want)
		}
	}
}

func TestDateTimeString(t *testing.T) {
	for in, want := range map[string]string{
		"2019-03-02T10:11:12+00:00":        "2019-03-02T10:11:12+00:00",
		"2019-03-02T10:11:12.5+00:00":      "2019-03-02T10:11:12.5+00:00", // IntelMQ keeps it as written
		"2019-03-02T10:11:12.000000+00:00": "2019-03-02T10:11:12.000000+00:00",
		"2019-03-02 10:11:12":              "2019-03-02T10:11:12+00:00",
		"2019-03-02T10:11:12.5Z":           "2019-03-02T10:11:12.500000+00:00",
	} {
		got, err := DateTimeString(in)
		if err != nil || got != want {
			t.Errorf("DateTimeString(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := DateTimeString("nope"); err == nil {
		t.Error("DateTimeString(nope) accepted")
	}
}

func TestFormatDateTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2019, 3, 2, 10, 11, 12, 0, time.UTC), "2019-03-02T10:11:12+00:00"},
		{time.Date(2019, 3, 2, 10, 11, 12, 123400000, time.UTC), "2019-03-02T10:11:12.123400+00:00"},
		{time.Date(2019, 3, 2, 10, 11, 12, 999, time.UTC), "2019-03-02T10:11:12+00:00"},              // below a microsecond
		{time.Date(2019, 3, 2, 10, 11, 12, 1999, time.UTC), "2019-03-02T10:11:12.000001+00:00"},      // cut, not rounded
		{time.Date(2019, 3, 2, 10, 11, 12, 999999999, time.UTC), "2019-03-02T10:11:12.999999+00:00"}, // cut
		{time.Date(2019, 3, 2, 0, 30, 0, 0, cet), "2019-03-01T23:30:00+00:00"},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00+00:00"},
		{time.Date(999, 12, 31, 0, 0, 0, 0, time.UTC), "0999-12-31T00:00:00+00:00"},
	} {
		if got := FormatDateTime(c.t); got != c.want {
			t.Errorf("FormatDateTime(%v) = %s, want %s", c.t, got, c.want)
		}
		if got := string(AppendDateTime([]byte("x"), c.t)); got != "x"+c.want {
			t.Errorf("AppendDateTime = %s", got)
		}
	}
}

func TestFromTimestamp(t *testing.T) {
	runDT(t, "FromTimestamp", FromTimestamp, []dtCase{
		{"1495782036", "2017-05-26T07:00:36+00:00"}, // generic-csv4
		{"1234567890", "2009-02-13T23:31:30+00:00"}, // key_value-timestamp_epoch
		{"1465681304", "2016-06-11T21:41:44+00:00"}, // misp
		{" 1495782036 ", "2017-05-26T07:00:36+00:00"},
		{"1495782036.25", "2017-05-26T07:00:36.250000+00:00"},
		{"1495782036.0000005", "2017-05-26T07:00:36+00:00"},        // the float is just below .0000005
		{"1495782036.0000015", "2017-05-26T07:00:36.000001+00:00"}, // and below .0000015, as in Python
		{"1e9", "2001-09-09T01:46:40+00:00"},
		{"0", "1970-01-01T00:00:00+00:00"},
		{"-1", "1969-12-31T23:59:59+00:00"},
		{"253402300799", "9999-12-31T23:59:59+00:00"},
		{"253402300800", ""},
		{"-62135596801", ""},
		{"nan", ""},
		{"x", ""},
		{"", ""},
	})
	if tm, err := FromTimestampFloat(1495782036.5); err != nil || FormatDateTime(tm) != "2017-05-26T07:00:36.500000+00:00" {
		t.Errorf("FromTimestampFloat = %v, %v", tm, err)
	}
	if _, err := FromTimestampFloat(1e300); err == nil {
		t.Error("FromTimestampFloat(1e300) accepted")
	}
}

func TestFromEpochMillis(t *testing.T) {
	runDT(t, "FromEpochMillis", FromEpochMillis, []dtCase{
		{"1495782036", "2017-05-26T07:00:36+00:00"},
		{"1495782036123", "2017-05-26T07:00:36+00:00"}, // milliseconds cut
		{"149578203612", "2017-05-26T07:00:36+00:00"},  // 12 characters: divided by 100, as IntelMQ
		{"-149578203", "1965-04-05T18:29:57+00:00"},    // 10 characters with the sign
		{"14957820361", ""},                            // IntelMQ returns nothing for 11
		{"149578203", ""},
		{"1.49578203", ""},
		{"", ""},
	})
}

func TestFromWindowsNT(t *testing.T) {
	runDT(t, "FromWindowsNT", FromWindowsNT, []dtCase{
		{"132348339284870000", "2020-05-24T22:45:28.487000+00:00"}, // microsoft-ctip azure
		{"132348340630510000", "2020-05-24T22:47:43.050999+00:00"}, // IntelMQ's float rounding
		{"116444736000000000", "1970-01-01T00:00:00+00:00"},
		{"116444736000000015", "1970-01-01T00:00:00.000002+00:00"},
		{"0", "1601-01-01T00:00:00+00:00"},
		{"-1", "1601-01-01T00:00:00+00:00"}, // -0.1 µs rounds to 0, as in Python
		{"-10", "1600-12-31T23:59:59.999999+00:00"},
		{"-510000000000000000", ""},
		{"x", ""},
		{"999999999999999999999", ""},
	})
}

func TestFromFormat(t *testing.T) {
	type c struct{ layout, in, want string }
	for _, tc := range []c{
		{"%Y-%m-%d %H:%M:%S", "2019-01-02 03:04:05", "2019-01-02T03:04:05+00:00"},
		{"%Y-%m-%d %H:%M:%S", "2019-01-02  03:04:05", "2019-01-02T03:04:05+00:00"}, // whitespace is \s+
		{"%Y-%m-%d %H:%M:%S", "2019-1-2 3:4:5", "2019-01-02T03:04:05+00:00"},       // one-digit fields
		{"%d/%m/%Y", "2/3/2019", "2019-03-02T00:00:00+00:00"},
		{"%d.%m.%Y", "1.12.2019", "2019-12-01T00:00:00+00:00"},
		{"%m%d%Y", "1122019", "2019-11-02T00:00:00+00:00"}, // backtracking, as Python's regex
		{"%Y%m%d%H%M", "201901020304", "2019-01-02T03:04:00+00:00"},
		{"%H%M %d.%m.%Y", "930 1.2.2019", "2019-02-01T09:30:00+00:00"},
		{"%d %b %Y %H:%M:%S %z", "02 jan 2019 03:04:05 +0130", "2019-01-02T01:34:05+00:00"},
		{"%Y-%m-%dT%H:%M:%S.%f%z", "2019-01-02T03:04:05.123Z", "2019-01-02T03:04:05.123000+00:00"},
		{"%Y-%m-%dT%H:%M:%S%z", "2019-01-02T03:04:05+01:00", "2019-01-02T02:04:05+00:00"},
		{"%Y-%m-%dT%H:%M:%S%z", "2019-01-02T03:04:05-01:00:30", "2019-01-02T04:04:35+00:00"},
		{"%Y-%m-%dT%H", "2019-02-03t4", "2019-02-03T04:00:00+00:00"}, // literals ignore case
		{"%I:%M %p %d %B %Y", "12:30 am 02 January 2019", "2019-01-02T00:30:00+00:00"},
		{"%I:%M %p %d %B %Y", "12:30 PM 02 january 2019", "2019-01-02T12:30:00+00:00"},
		{"%I:%M %p", "1:05 pm", "1900-01-01T13:05:00+00:00"},
		{"%I", "12", "1900-01-01T00:00:00+00:00"}, // %I without %p: 12 is midnight
		{"%a, %d %b %Y %H:%M:%S %Z", "Wed, 02 Jan 2019 03:04:05 GMT", "2019-01-02T03:04:05+00:00"},
		{"%A %d", "Sunday 05", "1900-01-05T00:00:00+00:00"},
		{"%y%j", "19032", "2019-02-01T00:00:00+00:00"},
		{"%Y %j", "2020 366", "2020-12-31T00:00:00+00:00"},
		{"%y", "68", "2068-01-01T00:00:00+00:00"},
		{"%y", "69", "1969-01-01T00:00:00+00:00"},
		{"%d%%%m", "1%2", "1900-02-01T00:00:00+00:00"},
		{"%d", " 5", "1900-01-05T00:00:00+00:00"},
		{"2006-01-02 15:04:05", "2019-01-02 03:04:05", "2019-01-02T03:04:05+00:00"}, // a Go layout
		{"2006-01-02T15:04:05Z07:00", "2019-01-02T03:04:05+01:00", "2019-01-02T02:04:05+00:00"},
		// Refused.
		{"%Y-%m-%d", "2019-02-30", ""},
		{"%Y-%m-%d", "2019-02-03 ", ""}, // unconverted data remains
		{"%Y-%m-%d", "19-02-03", ""},
		{"%S", "60", ""},
		{"%d %b %Y", "1 Sept 2019", ""}, // %b is the abbreviation only
		{"%d %B %Y", "1 Sep 2019", ""},
		{"%Y %j", "2019 366", ""},
		{"%Z", "CET", ""},
		{"%z", "+2400", ""},
		{"%p", "am", "1900-01-01T00:00:00+00:00"},
		{"2006-01-02", "2019-02-30", ""},
	} {
		got, err := FromFormat(tc.in, tc.layout)
		if tc.want == "" {
			if err == nil {
				t.Errorf("FromFormat(%q, %q) = %s, want error", tc.in, tc.layout, FormatDateTime(got))
			}
			continue
		}
		if err != nil || FormatDateTime(got) != tc.want {
			t.Errorf("FromFormat(%q, %q) = %s, %v; want %s", tc.in, tc.layout, FormatDateTime(got), err, tc.want)
		}
	}
	for _, bad := range []string{"%Y-%e", "%Q", "%Y%", "%c"} {
		if _, err := ParseLayout(bad); err == nil {
			t.Errorf("ParseLayout(%q) accepted", bad)
		}
		if _, err := FromFormat("x", bad); err == nil {
			t.Errorf("FromFormat with %q accepted", bad)
		}
	}
	if l, _ := ParseLayout("%Y"); l.String() != "%Y" {
		t.Error("Layout.String")
	}
}

func TestFromFormatMidnight(t *testing.T) {
	type c struct{ layout, in, want string }
	for _, tc := range []c{
		{"%d-%m-%Y", "21-06-2019", "2019-06-21T00:00:00+00:00"}, // html_table-viriback
		{"%Y-%m-%d %H:%M %z", "2019-01-01 23:30 -0500", "2019-01-01T00:00:00+00:00"},
		{"2006-01-02 15:04", "2019-01-01 23:30", "2019-01-01T00:00:00+00:00"},
		{"%d-%m-%Y", "32-06-2019", ""},
		{"2006-01-02", "x", ""},
	} {
		got, err := FromFormatMidnight(tc.in, tc.layout)
		if tc.want == "" {
			if err == nil {
				t.Errorf("FromFormatMidnight(%q, %q) accepted", tc.in, tc.layout)
			}
			continue
		}
		if err != nil || FormatDateTime(got) != tc.want {
			t.Errorf("FromFormatMidnight(%q, %q) = %s, %v; want %s", tc.in, tc.layout, FormatDateTime(got), err, tc.want)
		}
	}
}

func TestUTCISOFormat(t *testing.T) {
	runDT(t, "UTCISOFormat", UTCISOFormat, []dtCase{
		{"2019-03-02T01:02:03+00:00", "2019-03-02T01:02:03+00:00"},
		{"2019-03-02T01:02:03.5+00:00", "2019-03-02T01:02:03.500000+00:00"},
		{"2019-3-2T1:2:3+00:00", "2019-03-02T01:02:03+00:00"}, // strptime takes one-digit fields
		{"2019-03-02T01:02:03Z", ""},
		{"2019-03-02 01:02:03+00:00", ""},
		{"2019-03-02T01:02:03+01:00", ""},
	})
}

func TestFromFuzzy(t *testing.T) {
	runDT(t, "FromFuzzy", FromFuzzy, []dtCase{
		{"Generated at: 20170226235356 UTC", "2017-02-26T23:53:56+00:00"},
		{"# last updated 1450193702 (Tue Dec 15 15:35:02 2015 GMT)", "2015-12-15T15:35:02+00:00"}, // dateutil fails on the epoch; we skip it
		{"updated: Tue Dec 15 15:33:38 2015 UTC", "2015-12-15T15:33:38+00:00"},
		{"Today is January 1, 2047 at 8:21:00AM", "2047-01-01T08:21:00+00:00"},
		{"2019-01-01 foo", "2019-01-01T00:00:00+00:00"},
		{"2019-03-02T10:11:12+00:00", "2019-03-02T10:11:12+00:00"},
		{"hello 2019 world", ""},
		{"at 10:00", ""},
		{"2019-03-02 10:11:12 CET", ""},
	})
}

func TestConvert(t *testing.T) {
	type c struct{ format, in, want string }
	for _, tc := range []c{
		{"", "2015-12-14 04:19:00", "2015-12-14T04:19:00+00:00"}, // generic-csv-time_format_empty_string
		{"fuzzy", "Mon, 14 Sep 2015 04:39:22 GMT", "2015-09-14T04:39:22+00:00"},
		{"timestamp", "1234567890", "2009-02-13T23:31:30+00:00"},
		{"epoch_millis", "1495782036", "2017-05-26T07:00:36+00:00"}, // generic-csv4
		{"windows_nt", "132348339284870000", "2020-05-24T22:45:28.487000+00:00"},
		{"utc_isoformat", "2019-03-02T01:02:03+00:00", "2019-03-02T01:02:03+00:00"},
		{"from_format|%Y-%m-%d %H:%M:%S", "2019-01-02 03:04:05", "2019-01-02T03:04:05+00:00"},
		{"from_format_midnight|%d-%m-%Y", "21-06-2019", "2019-06-21T00:00:00+00:00"},
		{"from_format|2006-01-02", "2019-01-02", "2019-01-02T00:00:00+00:00"},
		{"from_format_midnight|2006-01-02 15:04", "2019-01-02 10:00", "2019-01-02T00:00:00+00:00"},
		{"timestamp", "x", ""},
		{"from_format|%Y", "x", ""},
	} {
		got, err := Convert(tc.in, tc.format)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Convert(%q, %q) accepted", tc.in, tc.format)
			}
			continue
		}
		if err != nil || FormatDateTime(got) != tc.want {
			t.Errorf("Convert(%q, %q) = %s, %v; want %s", tc.in, tc.format, FormatDateTime(got), err, tc.want)
		}
	}
	for _, f := range []string{"from_format", "from_format_midnight", "nope", "timestamp|x", "from_format|%Q", "Fuzzy"} {
		if _, err := ParseTimeFormat(f); err == nil {
			t.Errorf("ParseTimeFormat(%q) accepted", f)
		} else if !strings.Contains(err.Error(), "format") && !strings.Contains(err.Error(), f) {
			t.Errorf("ParseTimeFormat(%q): unclear error %v", f, err)
		}
	}
	tf, err := ParseTimeFormat("from_format|%d.%m.%Y")
	if err != nil || tf.String() != "from_format|%d.%m.%Y" {
		t.Fatal(err)
	}
	if got, err := tf.Convert("2.1.2019"); err != nil || FormatDateTime(got) != "2019-01-02T00:00:00+00:00" {
		t.Errorf("TimeFormat.Convert = %v, %v", got, err)
	}
}
