package sanitize

import (
	"errors"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets check three properties of every sanitizer: it never
// panics; what it accepts, sanitized again, stays the same (the canonical
// form is a fixed point); and what it refuses gets an ErrInvalid error
// that quotes the value. Their seed corpus runs in plain go test.

func fuzzErr(t *testing.T, in string, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("%q: error %v is not ErrInvalid", in, err)
	}
	if !strings.Contains(err.Error(), quote(in)) {
		t.Fatalf("%q: error %q does not quote the value", in, err)
	}
}

// fuzzString runs the common properties for a string sanitizer.
func fuzzString(t *testing.T, fn func(string) (string, error), in string) string {
	out, err := fn(in)
	if err != nil {
		fuzzErr(t, in, err)
		return ""
	}
	if out == "" {
		t.Fatalf("%q accepted as empty", in)
	}
	again, err := fn(out)
	if err != nil || again != out {
		t.Fatalf("%q -> %q -> %q, %v: not idempotent", in, out, again, err)
	}
	return out
}

func seeds(f *testing.F, cases []strCase) {
	for _, c := range cases {
		f.Add(c.in)
	}
}

func FuzzString(f *testing.F) {
	seeds(f, []strCase{{in: " a "}, {in: "\u00a0"}, {in: "\xff"}, {in: "\x1cx"}})
	f.Fuzz(func(t *testing.T, in string) {
		fuzzString(t, String, in)
		fuzzString(t, LowercaseString, in)
		fuzzString(t, UppercaseString, in)
		fuzzString(t, CountryCode, in)
		fuzzString(t, TLP, in)
		fuzzString(t, Registry, in)
		fuzzString(t, ClassificationType, in)
		fuzzString(t, ClassificationTaxonomy, in)
	})
}

func FuzzIPAddress(f *testing.F) {
	for _, s := range []string{"192.0.2.1", " 192.0.2.1/32", "2001:DB8::1", "::ffff:1.2.3.4", "fe80::1%eth0", "4294967296", "0", "1.2.3.4/255.255.255.255", "1:2:3:4:5:6:7::", "::ffff:01.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := fuzzString(t, IPAddress, in)
		if out == "" {
			return
		}
		a, err := netip.ParseAddr(out)
		if err != nil || a.String() != out {
			t.Fatalf("%q -> %q, which is not a canonical address", in, out)
		}
	})
}

func FuzzIPNetwork(f *testing.F) {
	for _, s := range []string{"192.0.2.7/24", "2001:db8::1/32", "10.0.0.0/255.0.0.0", "1.2.3.4", "fe80::1%x/64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := fuzzString(t, IPNetwork, in)
		if out == "" {
			return
		}
		p, err := netip.ParsePrefix(out)
		if err != nil || p.Masked() != p {
			t.Fatalf("%q -> %q, which is not a canonical network", in, out)
		}
	})
}

func FuzzFQDN(f *testing.F) {
	for _, s := range []string{"Example.COM.", "bücher.example", "straße.de", "a..b", "*.x", "ｅｘａｍｐｌｅ.com", "xn--zca.de", "1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := fuzzString(t, FQDN, in)
		if out != "" && (strings.ContainsAny(out, ":/?# ") || !isASCII(out) || out != strings.ToLower(out)) {
			t.Fatalf("%q -> %q: not an ASCII lowercase name", in, out)
		}
	})
}

func FuzzURL(f *testing.F) {
	for _, s := range []string{"hxxp://example.com/x", "file:///etc", "//a", "http://[::1]/", "http://[::1/", "x:y", "FILE:x?#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzString(t, URL, in)
	})
}

func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"AS64496", " 42 ", "1_000", "-0", "1e400", ".5", "nan", "4294967296", "9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if n, err := Integer(in); err != nil {
			fuzzErr(t, in, err)
		} else if m, err := Integer(strconv.FormatInt(n, 10)); err != nil || m != n {
			t.Fatalf("Integer(%q) = %d, not stable", in, n)
		}
		if n, err := ASN(in); err != nil {
			fuzzErr(t, in, err)
		} else if n < 1 || n > MaxASN {
			t.Fatalf("ASN(%q) = %d out of range", in, n)
		}
		if x, err := Float(in); err != nil {
			fuzzErr(t, in, err)
		} else if y, err := Float(strconv.FormatFloat(x, 'g', -1, 64)); err != nil || y != x {
			t.Fatalf("Float(%q) = %v, not stable", in, x)
		}
		if b, err := Boolean(in); err != nil {
			fuzzErr(t, in, err)
		} else if c, _ := Boolean(strconv.FormatBool(b)); c != b {
			t.Fatal("Boolean not stable")
		}
	})
}

func FuzzDateTime(f *testing.F) {
	for _, c := range dateTimeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tm, err := DateTime(in)
		if err != nil {
			fuzzErr(t, in, err)
		} else {
			if tm.Location() != time.UTC || tm.Nanosecond()%1000 != 0 || tm.Year() < 1 || tm.Year() > 9999 {
				t.Fatalf("DateTime(%q) = %v: not UTC microseconds in range", in, tm)
			}
			s := FormatDateTime(tm)
			again, err := DateTime(s)
			if err != nil || !again.Equal(tm) {
				t.Fatalf("DateTime(%q) = %s, which reads back as %v, %v", in, s, again, err)
			}
			if ds, err := DateTimeString(in); err != nil {
				t.Fatalf("DateTimeString(%q): %v", in, err)
			} else if d2, _ := DateTime(ds); !d2.Equal(tm) {
				t.Fatalf("DateTimeString(%q) = %q, a different instant", in, ds)
			}
		}
		// The ISO fast path must agree with the general parser.
		if trimmed := trimSpace(in); trimmed != "" {
			if iso, ok := parseISO(trimmed); ok {
				loose, reason := parseLoose(trimmed, false)
				if reason != "" || !loose.Equal(iso) {
					t.Fatalf("%q: parseISO %v, parseLoose %v %q", in, iso, loose, reason)
				}
			}
		}
		if ft, err := FromFuzzy(in); err != nil {
			fuzzErr(t, in, err)
		} else if err == nil && tm != (time.Time{}) && !ft.Equal(tm) {
			t.Fatalf("%q: DateTime %v but FromFuzzy %v", in, tm, ft)
		}
	})
}

func FuzzConvert(f *testing.F) {
	f.Add("1495782036", "timestamp")
	f.Add("1495782036123", "epoch_millis")
	f.Add("132348339284870000", "windows_nt")
	f.Add("21-06-2019", "from_format_midnight|%d-%m-%Y")
	f.Add("2019-01-02 03:04:05 +0100", "from_format|%Y-%m-%d %H:%M:%S %z")
	f.Add("930 1.2.2019", "from_format|%H%M %d.%m.%Y")
	f.Add("Wed 02 Jan 19 12 PM", "from_format|%a %d %b %y %I %p")
	f.Add("2020 366", "from_format|%Y %j")
	f.Add("2019-3-2T1:2:3+00:00", "utc_isoformat")
	f.Fuzz(func(t *testing.T, value, format string) {
		if len(format) > 64 {
			return // formats come from configuration; keep backtracking bounded
		}
		tf, err := ParseTimeFormat(format)
		if err != nil {
			return
		}
		tm, err := tf.Convert(value)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Convert(%q, %q): %v", value, format, err)
			}
			return
		}
		if tm.Location() != time.UTC || tm.Year() < 1 || tm.Year() > 9999 {
			t.Fatalf("Convert(%q, %q) = %v", value, format, tm)
		}
		if again, err := DateTime(FormatDateTime(tm)); err != nil || !again.Equal(tm.Truncate(time.Microsecond)) {
			t.Fatalf("Convert(%q, %q) = %v does not read back: %v", value, format, tm, err)
		}
	})
}

func FuzzEncodings(f *testing.F) {
	for _, s := range []string{"aGVsbG8K", "YQ", `{"a":1}`, "[1,", "extra.a", "a..b", "YR=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if b, err := Base64Decode(in); err != nil {
			fuzzErr(t, in, err)
		} else if c, err := Base64Decode(Base64Encode(b)); err != nil || string(c) != string(b) {
			t.Fatalf("Base64 round trip of %q failed", in)
		}
		fuzzString(t, JSON, in)
		fuzzString(t, JSONDict, in)
		if err := JSONDictKey(in); err != nil {
			fuzzErr(t, in, err)
		} else if FieldKey("extra."+in) != nil {
			t.Fatalf("JSONDictKey(%q) ok but FieldKey(extra.%s) not", in, in)
		}
	})
}

// FuzzConstraint checks the hand-written matchers against Go's regexp.
func FuzzConstraint(f *testing.F) {
	for _, s := range []string{"AT", "a.", "a\nb", "ü", "abc\n", ""} {
		f.Add(s)
	}
	patterns := []string{`^[ -~]+$`, `^.*[^\.]$`, `^[a-zA-Z0-9]{2}$`}
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range patterns {
			fast, _ := matcher(p, false)
			if got, want := fast(in), regexp.MustCompile(p).MatchString(in); got != want {
				t.Fatalf("pattern %s on %q: fast %v, regexp %v", p, in, got, want)
			}
		}
	})
}
