package shadowserver

import (
	"math"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho/sanitize"
)

// fakeRow is a row for the functions that read other columns; a nil value
// is a column the row is too short to have.
type fakeRow map[string]*string

func (r fakeRow) has(name string) bool { _, ok := r[name]; return ok }
func (r fakeRow) get(name string) (string, bool) {
	v := r[name]
	if v == nil {
		return "", false
	}
	return *v, true
}

func s(v string) *string { return &v }

func TestConversions(t *testing.T) {
	txt := func(v string) value { return text(v) }
	i := func(n int64) value { return value{k: kInt, n: n} }
	b := boolean
	f := float
	cases := []struct {
		fn, in string
		row    fakeRow
		want   value
		err    bool
	}{
		{fn: "add_UTC_to_timestamp", in: "2024-01-02 03:04", want: txt("2024-01-02 03:04 UTC")},
		{fn: "add_UTC_to_timestamp", in: "", want: txt(" UTC")},
		{fn: "convert_bool", in: "Yes", want: b(true)},
		{fn: "convert_bool", in: "ENABLED", want: b(true)},
		{fn: "convert_bool", in: "1", want: b(true)},
		{fn: "convert_bool", in: "n", want: b(false)},
		{fn: "convert_bool", in: "disabled", want: b(false)},
		{fn: "convert_bool", in: "maybe", want: none},
		{fn: "convert_bool", in: "", want: none},
		{fn: "validate_to_none", in: "", want: none},
		{fn: "validate_to_none", in: "0", want: none},
		{fn: "validate_to_none", in: "unknown", want: none},
		{fn: "validate_to_none", in: "Unknown", want: txt("Unknown")},
		{fn: "validate_to_none", in: "00", want: txt("00")},
		{fn: "convert_int", in: "", want: none},
		{fn: "convert_int", in: "42", want: i(42)},
		{fn: "convert_int", in: " -7 ", want: i(-7)},
		{fn: "convert_int", in: "+1_000", want: i(1000)},
		{fn: "convert_int", in: "0", want: i(0)},
		{fn: "convert_int", in: "123456789012345678901234", want: value{k: kBigInt, s: "123456789012345678901234"}},
		{fn: "convert_int", in: "1.5", err: true},
		{fn: "convert_int", in: "1__0", err: true},
		{fn: "convert_int", in: "x", err: true},
		{fn: "invalidate_zero", in: "0", want: none},
		{fn: "invalidate_zero", in: "-0", want: none},
		{fn: "invalidate_zero", in: "", want: none},
		{fn: "invalidate_zero", in: "64500", want: i(64500)},
		{fn: "invalidate_zero", in: "AS1", err: true},
		{fn: "convert_float", in: "", want: none},
		{fn: "convert_float", in: "1.5", want: f(1.5)},
		{fn: "convert_float", in: " 2 ", want: f(2)},
		{fn: "convert_float", in: "1e3", want: f(1000)},
		{fn: "convert_float", in: ".5", want: f(0.5)},
		{fn: "convert_float", in: "1_0.5", want: f(10.5)},
		{fn: "convert_float", in: "-inf", want: f(math.Inf(-1))},
		{fn: "convert_float", in: "0x10", err: true},
		{fn: "convert_float", in: "1.2.3", err: true},
		{fn: "validate_ip", in: "192.0.2.1", want: txt("192.0.2.1")},
		{fn: "validate_ip", in: "2001:DB8::1", want: txt("2001:DB8::1")},
		{fn: "validate_ip", in: "0.0.0.0", want: none},
		{fn: "validate_ip", in: "192.0.2.0/24", want: none},
		{fn: "validate_ip", in: "192.0.2.1/32", want: none},
		{fn: "validate_ip", in: "300.1.1.1", want: none},
		{fn: "validate_ip", in: "", want: none},
		{fn: "validate_network", in: "192.0.2.0/24", want: txt("192.0.2.0/24")},
		{fn: "validate_network", in: "192.0.2.0", want: none},
		{fn: "validate_network", in: "x/24", want: none},
		{fn: "validate_fqdn", in: "www.example.com", want: txt("www.example.com")},
		{fn: "validate_fqdn", in: "", want: none},
		{fn: "validate_fqdn", in: "not a name", want: none},
		{fn: "convert_date", in: "Sat, 01 Jun 2024 09:59:58 GMT", want: txt("2024-06-01T09:59:58+00:00")},
		{fn: "convert_date", in: "2024-06-01 09:59:58", want: txt("2024-06-01T09:59:58+00:00")},
		{fn: "convert_date", in: "2024-06-01T09:59:58.5+00:00", want: txt("2024-06-01T09:59:58.5+00:00")},
		{fn: "convert_date", in: "not a date", want: none},
		{fn: "convert_date", in: "", want: none},
		{fn: "convert_date_utc", in: "2024-06-01 09:59:58", want: txt("2024-06-01T09:59:58+00:00")},
		{fn: "force_base64", in: "aGVsbG8=", want: txt("aGVsbG8=")},
		{fn: "force_base64", in: "hello", want: txt("aGVsbG8=")},
		{fn: "force_base64", in: "GET / HTTP/1.1", want: txt("R0VUIC8gSFRUUC8xLjE=")},
		{fn: "force_base64", in: "", want: none},
		{fn: "scan_exchange_taxonomy", in: "exchange;webshell", want: txt("intrusions")},
		{fn: "scan_exchange_taxonomy", in: "exchange", want: txt("vulnerable")},
		{fn: "scan_exchange_type", in: "webshell", want: txt("system-compromise")},
		{fn: "scan_exchange_type", in: "", want: txt("vulnerable-system")},
		{fn: "scan_exchange_identifier", in: "webshell", want: txt("exchange-server-webshell")},
		{fn: "scan_exchange_identifier", in: "x", want: txt("vulnerable-exchange-server")},
		{fn: "category_or_detail", row: fakeRow{"category": s("malware"), "detail": s("d")}, want: txt("malware")},
		{fn: "category_or_detail", row: fakeRow{"category": s(""), "detail": s("d")}, want: txt("d")},
		{fn: "category_or_detail", row: fakeRow{"detail": s("d")}, want: txt("d")},
		{fn: "category_or_detail", row: fakeRow{"category": nil, "detail": s("d")}, want: none},
		{fn: "category_or_detail", row: fakeRow{}, want: txt("")},
		{fn: "extract_cve_from_tag", in: "http;cve-2021-42013;cve-2021-41773;cve-2021-42013", want: txt("cve-2021-41773;cve-2021-42013")},
		{fn: "extract_cve_from_tag", in: "CVE-2021-1;cve-x-1;cve-1-", want: none},
		{fn: "extract_cve_from_tag", in: "", want: none},
		{fn: "extract_cve_from_tag", in: "http;cve-2021-41773", want: txt("cve-2021-41773")},
		{fn: "extract_cve_from_tag", in: "cve-1-2;cve-1-2", want: txt("cve-1-2")},
		{fn: "extract_cve_from_tag", in: "cve-3-1;cve-1-1;cve-3-1;cve-2-1", want: txt("cve-1-1;cve-2-1;cve-3-1")},
		{fn: "extract_cve_from_tag", in: "cve-9-9\n", want: txt("cve-9-9\n")},
		{fn: "set_tor_node", in: "1", want: b(true)},
		{fn: "set_tor_node", in: "", want: none},
		{fn: "convert_http_host_and_url", in: "/a", row: fakeRow{"http_host": s("h.example"), "url": s("GET /a?b HTTP/1.1")}, want: txt("http://h.example/a?b")},
		{fn: "convert_http_host_and_url", in: "/a", row: fakeRow{"cc_dns": s(""), "http_host": s("h.example"), "http_url": s("/p"), "application": s("https")}, want: txt("https://h.example/p")},
		{fn: "convert_http_host_and_url", in: "/a", row: fakeRow{"hostname": s("n.example"), "url": s("nopath")}, want: txt("http://n.example")},
		{fn: "convert_http_host_and_url", in: "/a", row: fakeRow{"ip": s("192.0.2.1"), "url": s("/x"), "application": s("ftp")}, want: txt("http://192.0.2.1/x")},
		{fn: "convert_http_host_and_url", in: "/a", row: fakeRow{"url": s("/x")}, want: txt("/a")},
		{fn: "convert_http_host_and_url", in: "/a", row: fakeRow{"http_host": s("h"), "url": nil}, want: txt("/a")},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.fn] = true
		conv := conversions[tc.fn]
		if conv == nil {
			t.Fatalf("no function %s", tc.fn)
		}
		var row rowView
		if tc.row != nil {
			row = tc.row
		}
		got, err := conv(tc.in, row)
		if (err != nil) != tc.err {
			t.Errorf("%s(%q): error %v", tc.fn, tc.in, err)
			continue
		}
		if tc.err {
			continue
		}
		if got.k == kTime {
			got.k, got.n, got.s = kText, 0, got.s+" UTC"
		}
		if got.k == kFloat && tc.want.k == kFloat && (got.float() == tc.want.float() || (math.IsNaN(got.float()) && math.IsNaN(tc.want.float()))) {
			continue
		}
		if got != tc.want {
			t.Errorf("%s(%q, %v) = %+v, want %+v", tc.fn, tc.in, tc.row, got, tc.want)
		}
	}
	for _, name := range Conversions() {
		if !seen[name] {
			t.Errorf("no test for %s", name)
		}
	}
}

// TestFastPathsAgree checks the quick readers of the usual time forms
// against the general date parser they stand in for.
func TestFastPathsAgree(t *testing.T) {
	times := []string{"2024-01-02 03:04:05", "2024-02-29 23:59:59", "2023-02-29 00:00:00", "0000-01-01 00:00:00",
		"2024-13-01 00:00:00", "2024-01-02 24:00:00", "0001-01-01 00:00:00", "1969-12-31 23:59:59", "1970-01-01 00:00:00",
		"2000-02-29 12:00:00", "1900-02-29 12:00:00", "2100-03-01 00:00:00", "9999-12-31 23:59:59", "2024-04-31 00:00:00", "2024-06-30 00:00:60"}
	for d := time.Date(1999, 12, 1, 7, 8, 9, 0, time.UTC); d.Year() < 2002; d = d.AddDate(0, 0, 1) {
		times = append(times, d.Format(time.DateTime))
	}
	for _, v := range times {
		fast, ok := plainTime(v)
		slow, err := sanitize.DateTime(v + " UTC")
		if ok != (err == nil) || (ok && fast != slow.Unix()) {
			t.Errorf("%q: fast %v %v, general %v %v", v, fast, ok, slow, err)
		}
	}
	for _, v := range []string{"Sat, 01 Jun 2024 09:59:58 GMT", "Mon, 01 Jun 2024 09:59:58 GMT", "Thu, 29 Feb 2024 00:00:00 GMT", "Wed, 29 Feb 2023 00:00:00 GMT"} {
		fast, ok := httpDate(v)
		slow, err := sanitize.FromFuzzy(v)
		if ok != (err == nil) || (ok && !fast.Equal(slow)) {
			t.Errorf("%q: fast %v %v, general %v %v", v, fast, ok, slow, err)
		}
	}
}
