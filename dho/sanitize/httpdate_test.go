package sanitize

import (
	"testing"
	"time"
)

// TestHTTPDate checks the quick reader of HTTP dates against time.Parse:
// what it takes, time.Parse reads as the same instant, and it takes every
// valid date.
func TestHTTPDate(t *testing.T) {
	const layout = "Mon, 02 Jan 2006 15:04:05 GMT"
	var vs []string
	for ts := time.Date(1999, 12, 25, 0, 0, 0, 0, time.UTC); ts.Year() < 2031; ts = ts.Add(97*time.Hour + 13*time.Minute + 7*time.Second) {
		vs = append(vs, ts.Format(layout))
	}
	for _, y := range []string{"1900", "2000", "2023", "2024", "2100"} {
		for _, m := range httpMonths {
			for _, d := range []string{"28", "29", "30", "31"} {
				vs = append(vs, "Mon, "+d+" "+m+" "+y+" 12:00:00 GMT")
			}
		}
	}
	vs = append(vs, "Sat, 31 Jun 2024 09:59:58 GMT", "Sat, 00 Jun 2024 09:59:58 GMT", "Sat, 01 Jun 2024 24:00:00 GMT",
		"Sat, 01 Jun 2024 23:60:00 GMT", "Sat, 01 Jun 2024 23:59:60 GMT", "Sat, 01 jun 2024 23:59:59 GMT", "sat, 01 Jun 2024 23:59:59 GMT",
		"Xyz, 01 Jun 2024 23:59:59 GMT", "Sat, 1a Jun 2024 23:59:59 GMT", "Sat, 01 Jun 2024 23:59:5+ GMT", "Sat, 01 Jun 0000 00:00:00 GMT",
		"Sat,  1 Jun 2024 23:59:59 GMT", "Sat, 01-Jun-2024 23:59:59 GMT", "Sat, 01 Jun 2024 23:59:59 UTC")
	for _, v := range vs {
		quick, ok := HTTPDate(v)
		want, err := time.Parse(layout, v)
		if ok && (err != nil || quick != FormatDateTime(want)) {
			t.Errorf("%q: quick %v, time.Parse %v %v", v, quick, want, err)
		}
		if !ok && err == nil && v[:3] != "sat" && v[8:11] != "jun" {
			t.Errorf("%q: quick refuses what time.Parse reads as %v", v, want)
		}
	}
}
