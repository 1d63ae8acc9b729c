package sanitize

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// fixedNow is the "today" of the tests: dateutil fills a missing year from
// it.
var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	now = func() time.Time { return fixedNow }
	os.Exit(m.Run())
}

// strCase is a row of a table test for a string sanitizer: want == ""
// means the value must be refused.
type strCase struct {
	in, want string
}

func runStr(t *testing.T, name string, fn func(string) (string, error), cases []strCase) {
	t.Helper()
	for _, c := range cases {
		got, err := fn(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s(%q) = %q, want error", name, c.in, got)
				continue
			}
			checkErr(t, name, c.in, err)
			continue
		}
		if err != nil {
			t.Errorf("%s(%q) error: %v; want %q", name, c.in, err, c.want)
			continue
		}
		if got != c.want {
			t.Errorf("%s(%q) = %q, want %q", name, c.in, got, c.want)
			continue
		}
		// Idempotence: the canonical value is its own canonical value.
		if again, err := fn(got); err != nil || again != got {
			t.Errorf("%s(%q) = %q, %v; not idempotent", name, got, again, err)
		}
	}
}

// checkErr checks the error contract: ErrInvalid, and the value quoted.
func checkErr(t *testing.T, name, in string, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("%s(%q): error %v does not match ErrInvalid", name, in, err)
	}
	if !strings.Contains(err.Error(), quote(in)) {
		t.Errorf("%s(%q): error %q does not quote the value", name, in, err)
	}
}

func TestString(t *testing.T) {
	runStr(t, "String", String, []strCase{
		{"abc", "abc"},
		{"  a b  ", "a b"},
		{"\tx\r\n", "x"},
		{"\u00a0x\u3000", "x"}, // Unicode spaces, as str.strip()
		{"\x1cx\x1f", "x"},     // Python strips the information separators too
		{"\x00x", "\x00x"},     // NUL is not whitespace
		{"ünïcödé", "ünïcödé"}, // kept as is
		{"", ""},               // refused: empty
		{"   ", ""},            // refused: only whitespace
		{"\xff\xfe", ""},       // refused: not UTF-8
		{"a\xffb", ""},         // refused: IntelMQ would drop the byte
		{" \u2028 ", ""},       // line separator is whitespace
		{"-", "-"},             // the IntelMQ "ignored values" are the caller's business
		{"N/A", "N/A"},
	})
}

func TestLowerUpper(t *testing.T) {
	runStr(t, "LowercaseString", LowercaseString, []strCase{
		{"ABC", "abc"}, {" MiXeD ", "mixed"}, {"already", "already"}, {"ÄÖÜ", "äöü"}, {"", ""},
	})
	runStr(t, "UppercaseString", UppercaseString, []strCase{
		{"abc", "ABC"}, {" x ", "X"}, {"äöü", "ÄÖÜ"}, {" ", ""},
	})
}

func TestNoCopyOnCanonical(t *testing.T) {
	s := "already-lowercase"
	if got := testing.AllocsPerRun(100, func() { LowercaseString(s) }); got != 0 {
		t.Errorf("LowercaseString allocates %v times on a canonical value", got)
	}
	ip := "192.0.2.1"
	if got := testing.AllocsPerRun(100, func() { IPAddress(ip) }); got != 0 {
		t.Errorf("IPAddress allocates %v times on a canonical IPv4", got)
	}
	d := "2019-03-02T10:11:12+00:00"
	if got := testing.AllocsPerRun(100, func() { DateTime(d) }); got != 0 {
		t.Errorf("DateTime allocates %v times on the canonical form", got)
	}
	u := "http://example.com/a?b=c"
	if got := testing.AllocsPerRun(100, func() { URL(u) }); got != 0 {
		t.Errorf("URL allocates %v times on a plain URL", got)
	}
	f := "www.example.com"
	if got := testing.AllocsPerRun(100, func() { FQDN(f) }); got != 0 {
		t.Errorf("FQDN allocates %v times on a canonical name", got)
	}
}

func TestCountryCode(t *testing.T) {
	runStr(t, "CountryCode", CountryCode, []strCase{
		{"at", "AT"}, {" DE ", "DE"}, {"A1", "A1"}, {"zz", "ZZ"},
		{"AUT", ""}, {"A", ""}, {"A-", ""}, {"", ""}, {"ÄT", ""},
	})
}

func TestTLP(t *testing.T) {
	runStr(t, "TLP", TLP, []strCase{
		{"RED", "RED"},
		{"red", "RED"},
		{"TLP:RED", "RED"},
		{"tlp:amber", "AMBER"},
		{"TLP: green", "GREEN"},
		{"TLP GREEN", "GREEN"},
		{"TLPWHITE", "WHITE"}, // IntelMQ's prefix pattern makes the colon optional
		{" white ", "WHITE"},
		{"yellow", "AMBER"},
		{"TLP:CLEAR", "WHITE"}, // TLP 2.0, beyond IntelMQ 3.3
		{"clear", "WHITE"},
		{"TLP:AMBER+STRICT", ""},
		{"TLP:TLP:RED", ""},
		{"purple", ""},
		{"TLP:", ""},
		{"", ""},
	})
}

func TestRegistry(t *testing.T) {
	runStr(t, "Registry", Registry, []strCase{
		{"RIPE", "RIPE"}, {"ripe", "RIPE"}, {"ripencc", "RIPE"}, {"RIPE-NCC", "RIPE"},
		{"arin", "ARIN"}, {" apnic ", "APNIC"}, {"AfriNIC", "AFRINIC"}, {"lacnic", "LACNIC"},
		{"RIPE NCC", ""}, {"IANA", ""}, {"", ""},
	})
}

func TestClassification(t *testing.T) {
	runStr(t, "ClassificationType", ClassificationType, []strCase{
		{"scanner", "scanner"},
		{" Scanner ", "scanner"},
		{"Botnet Drone", "infected-system"},
		{"C&C", "c2-server"},
		{"c2server", "c2-server"},
		{"ransomware", "infected-system"},
		{"unknown", "undetermined"},
		{"vulnerable service", "vulnerable-system"},
		{"leak", "data-leak"},
		{"defacement", "unauthorised-information-modification"},
		{"dropzone", "other"},
		{"Unauthorised-Information-Access", "unauthorised-information-access"},
		{"malicious-code", ""}, // a taxonomy, not a type
		{"botnet-drone", ""},
		{"", ""},
	})
	runStr(t, "ClassificationTaxonomy", ClassificationTaxonomy, []strCase{
		{"vulnerable", "vulnerable"},
		{"Malicious Code", "malicious-code"},
		{"abusive content", "abusive-content"},
		{"information gathering", "information-gathering"},
		{"intrusion attempts", "intrusion-attempts"},
		{"OTHER", "other"},
		{"scanner", ""},
		{"", ""},
	})
	runStr(t, "ClassificationIdentifier", ClassificationIdentifier, []strCase{
		{" zeus ", "zeus"}, {"Heartbleed", "Heartbleed"}, {"", ""},
	})
}

func TestIPAddress(t *testing.T) {
	runStr(t, "IPAddress", IPAddress, []strCase{
		{"192.0.2.1", "192.0.2.1"},
		{" 192.0.2.1\n", "192.0.2.1"},
		{"192.0.2.1/32", "192.0.2.1"},
		{"192.0.2.1/032", "192.0.2.1"},
		{"192.0.2.1/255.255.255.255", "192.0.2.1"},
		{"2001:DB8::1", "2001:db8::1"},
		{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, // first longest run
		{"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},        // a single zero group stays
		{"2001:db8::1/128", "2001:db8::1"},
		{"fe80::1%eth0", "fe80::1"}, // zone dropped, as IntelMQ does
		{"fe80::1%", "fe80::1"},
		{"::", "::"},
		{"::1", "::1"},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
		{"::ffff:c000:201", "::ffff:192.0.2.1"},
		{"::192.0.2.1", "::c000:201"},
		{"1", "0.0.0.1"}, // an integer is an address
		{"3221225985", "192.0.2.1"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", "::1:0:0"},
		{"340282366920938463463374607431768211455", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"340282366920938463463374607431768211456", ""},
		{"0.0.0.0", ""}, // refused by IntelMQ
		{"0", ""},
		{"0.0.0.0/32", ""},
		{"01", ""}, // not how Python prints an int, and not an address
		{"-1", ""},
		{"+1", ""},
		{"300.1.2.3", ""},
		{"01.2.3.4", ""}, // leading zeros are refused by Python
		{"1.2.3", ""},
		{"1.2.3.4.5", ""},
		{"192.0.2.0/24", ""}, // a network
		{"192.0.2.1/24", ""}, // host bits set: strict, refused
		{"192.0.2.1/33", ""},
		{"192.0.2.1/", ""},
		{"1::2::3", ""},
		{"example.com", ""},
		{"0x01020304", ""},
		{"", ""},
		{"  ", ""},
	})
}

func TestIPNetwork(t *testing.T) {
	runStr(t, "IPNetwork", IPNetwork, []strCase{
		{"192.0.2.0/24", "192.0.2.0/24"},
		{"192.0.2.7/24", "192.0.2.0/24"}, // strict=False clears host bits
		{"192.0.2.7", "192.0.2.7/32"},
		{"192.0.2.7/255.255.255.0", "192.0.2.0/24"},
		{"192.0.2.7/0.0.0.255", "192.0.2.0/24"}, // a hostmask
		{"192.0.2.7/024", "192.0.2.0/24"},
		{" 10.0.0.0/8 ", "10.0.0.0/8"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"2001:DB8::1/32", "2001:db8::/32"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"fe80::1%eth0/64", "fe80::/64"},
		{"::/0", "::/0"},
		{"192.0.2.0/33", ""},
		{"192.0.2.0/255.0.255.0", ""},
		{"192.0.2.0%x/24", ""},
		{"fe80::1%/64", ""},
		{"3221225985", ""}, // no integers here, as in Python
		{"2001:db8::/129", ""},
		{"2001:db8::/ffff::", ""},
		{"", ""},
	})
}

func TestFQDN(t *testing.T) {
	long := strings.Repeat("a", 63)
	runStr(t, "FQDN", FQDN, []strCase{
		{"example.com", "example.com"},
		{"Example.COM.", "example.com"},
		{"..example.com..", "example.com"},
		{" www.example.com ", "www.example.com"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"BÜCHER.example", "xn--bcher-kva.example"},
		{"straße.de", "strasse.de"}, // IDNA 2003 maps ß to ss
		{"例え.テスト", "xn--r8jz45g.xn--zckzah"},
		{"ｅｘａｍｐｌｅ.com", "example.com"}, // fullwidth letters fold to ASCII
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"_dmarc.example.com", "_dmarc.example.com"},
		{"*.example.com", "*.example.com"},
		{long + ".example", long + ".example"},
		{"localhost", "localhost"},
		{"a" + long + ".example", ""}, // label too long
		{"a..b", ""},
		{"192.0.2.1", ""},
		{"192.0.2.1.", ""},
		{"example.com:80", ""},
		{"http://example.com", ""},
		{"example.com/path", ""},
		{"exa mple.com", ""},
		{"example.com?x", ""},
		{"a#b", ""},
		{"...", ""},
		{"", ""},
	})
}

func TestURL(t *testing.T) {
	runStr(t, "URL", URL, []strCase{
		{"http://example.com/", "http://example.com/"},
		{" https://example.com/a?b#c ", "https://example.com/a?b#c"},
		{"hxxp://example.com/x", "http://example.com/x"},
		{"hxxps://example.com/x", "https://example.com/x"},
		{"hxxp://a.example/hxxp://b", "http://a.example/http://b"}, // every occurrence, as str.replace
		{"HXXP://example.com", "HXXP://example.com"},               // not replaced, but has a host
		{"HTTP://EXAMPLE.COM/PATH", "HTTP://EXAMPLE.COM/PATH"},     // no case normalization
		{"//example.com/x", "//example.com/x"},                     // no scheme, but a host
		{"ftp://user:pw@example.com:21/f", "ftp://user:pw@example.com:21/f"},
		{"http://[2001:db8::1]:8080/", "http://[2001:db8::1]:8080/"},
		{"http://192.0.2.1/x.exe", "http://192.0.2.1/x.exe"},
		{"http://exa mple.com/a b", "http://exa mple.com/a b"}, // IntelMQ keeps spaces
		{"http://例え.jp/", "http://例え.jp/"},
		{"http://:80", "http://:80"}, // urlsplit finds a network location ":80"
		{"file:/etc/passwd", "file://localhost/etc/passwd"},
		{"file:///etc/passwd", "file://localhost/etc/passwd"},
		{"FILE:///x?", "file://localhost/x"},
		{"file:relative", "file://localhost/relative"},
		{"file://host/x", "file://host/x"},
		{"example.com/x", ""}, // no scheme: the parser must add one
		{"www.example.com", ""},
		{"localhost:8080/x", ""}, // "localhost" is read as the scheme
		{"http:///x", ""},
		{"http:/x", ""},
		{"mailto:a@example.com", ""},
		{"http://[2001:db8::1/x", ""},
		{"http://a]b/", ""},
		{"http://[192.0.2.1]/", ""},
		{"http://[zz]/", ""},
		{"http://a.example/\tb", ""},
		{"http://a.example/\nb", ""},
		{"", ""},
		{" ", ""},
	})
}

func TestIntegers(t *testing.T) {
	type c struct {
		in   string
		want int64
		ok   bool
	}
	for _, tc := range []c{
		{"42", 42, true}, {" 42 ", 42, true}, {"+42", 42, true}, {"-42", -42, true},
		{"007", 7, true}, {"4_2", 42, true}, {"1_000_000", 1000000, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"4__2", 0, false}, {"_42", 0, false}, {"42_", 0, false},
		{"1.0", 0, false}, {"0x10", 0, false}, {"1e3", 0, false}, {"", 0, false}, {"-", 0, false},
		{"4 2", 0, false}, {"٣", 0, false},
	} {
		got, err := Integer(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("Integer(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil {
			checkErr(t, "Integer", tc.in, err)
		}
	}
	for _, tc := range []c{
		{"AS64496", 64496, true}, {"as64496", 64496, true}, {"As64496", 64496, true}, {"64496", 64496, true},
		{"AS 64496", 64496, true}, {"1", 1, true}, {"4294967295", 4294967295, true}, {"AS1_0", 10, true},
		{" AS64496", 0, false}, // IntelMQ looks for "as" before stripping
		{"0", 0, false}, {"AS0", 0, false}, {"4294967296", 0, false}, {"-1", 0, false}, {"AS", 0, false},
		{"ASN64496", 0, false}, {"64496.0", 0, false}, {"", 0, false},
	} {
		got, err := ASN(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ASN(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil {
			checkErr(t, "ASN", tc.in, err)
		}
	}
	for _, n := range []int64{1, 65535, 4294967295} {
		if got, err := ASNValue(n); err != nil || got != n {
			t.Errorf("ASNValue(%d) = %d, %v", n, got, err)
		}
	}
	for _, n := range []int64{0, -1, 4294967296} {
		if _, err := ASNValue(n); err == nil {
			t.Errorf("ASNValue(%d) accepted", n)
		}
	}
}

func TestFloats(t *testing.T) {
	type c struct {
		in   string
		want float64
		ok   bool
	}
	for _, tc := range []c{
		{"1.5", 1.5, true}, {" 1e3 ", 1000, true}, {".5", 0.5, true}, {"5.", 5, true}, {"-0.25", -0.25, true},
		{"+2", 2, true}, {"1_0.5", 10.5, true}, {"1E-2", 0.01, true}, {"1e-400", 0, true},
		{"nan", 0, false}, {"-inf", 0, false}, {"Infinity", 0, false}, {"1e400", 0, false},
		{"1_.5", 0, false}, {"0x1p3", 0, false}, {"1.2.3", 0, false}, {"", 0, false}, {"e5", 0, false}, {"1,5", 0, false},
	} {
		got, err := Float(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("Float(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil {
			checkErr(t, "Float", tc.in, err)
		}
	}
	for _, tc := range []c{{"0", 0, true}, {"100", 100, true}, {"50.5", 50.5, true}, {"100.1", 0, false}, {"-1", 0, false}, {"x", 0, false}} {
		got, err := AccuracyString(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("AccuracyString(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := Accuracy(100.0000001); err == nil {
		t.Error("Accuracy(100.0000001) accepted")
	}
	if AccuracyBool(true) != 100 || AccuracyBool(false) != 0 {
		t.Error("AccuracyBool")
	}
}

func TestBoolean(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "TRUE": true, " True ": true, "false": false, "FALSE\n": false} {
		if got, err := Boolean(in); err != nil || got != want {
			t.Errorf("Boolean(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"1", "0", "yes", "no", "t", "", "truee"} {
		if _, err := Boolean(in); err == nil {
			t.Errorf("Boolean(%q) accepted", in)
		} else {
			checkErr(t, "Boolean", in, err)
		}
	}
	if b, err := BooleanInt(1); err != nil || !b {
		t.Error("BooleanInt(1)")
	}
	if b, err := BooleanInt(0); err != nil || b {
		t.Error("BooleanInt(0)")
	}
	if _, err := BooleanInt(2); err == nil {
		t.Error("BooleanInt(2) accepted")
	}
}

func TestBase64(t *testing.T) {
	if got := Base64Encode([]byte("hello\n")); got != "aGVsbG8K" {
		t.Errorf("Base64Encode = %q", got)
	}
	for in, want := range map[string]string{
		"aGVsbG8K":       "hello\n",
		"aGVs\r\nbG8K\n": "hello\n",
		"":               "",
		"YQ==":           "a",
		"YR==":           "a", // non-zero padding bits, which Python ignores
	} {
		got, err := Base64Decode(in)
		if err != nil || string(got) != want {
			t.Errorf("Base64Decode(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"YQ", "Y", "aGVsbG8K!", "a-_b", "YQ=Q"} {
		if _, err := Base64Decode(in); err == nil {
			t.Errorf("Base64Decode(%q) accepted", in)
		} else {
			checkErr(t, "Base64Decode", in, err)
		}
	}
	if got, err := Base64("aGVs\nbG8K"); err != nil || got != "aGVsbG8K" {
		t.Errorf("Base64 = %q, %v", got, err)
	}
}

func TestJSON(t *testing.T) {
	runStr(t, "JSON", JSON, []strCase{
		{`{"a": 1}`, `{"a": 1}`},
		{` [1, 2] `, `[1, 2]`},
		{`"x"`, `"x"`},
		{`1`, `1`},
		{`null`, `null`},
		{`{"a": NaN}`, ""},
		{`{a: 1}`, ""},
		{`{"a": 1}x`, ""},
		{``, ""},
	})
	runStr(t, "JSONDict", JSONDict, []strCase{
		{`{"a": 1}`, `{"a": 1}`},
		{`{}`, ""},
		{`[1]`, ""},
		{`"x"`, ""},
	})
}

func TestKeys(t *testing.T) {
	for _, k := range []string{"a", "payload", "payload.size", "_x", "1st", "a_b.c_1"} {
		if err := JSONDictKey(k); err != nil {
			t.Errorf("JSONDictKey(%q): %v", k, err)
		}
	}
	for _, k := range []string{"", "Payload", "a-b", "a..b", ".a", "a.", "ä", "a b"} {
		if err := JSONDictKey(k); err == nil {
			t.Errorf("JSONDictKey(%q) accepted", k)
		} else {
			checkErr(t, "JSONDictKey", k, err)
		}
	}
	for _, k := range []string{"extra.payload", "source.ip", "__type_x", "raw"} {
		if err := FieldKey(k); err != nil {
			t.Errorf("FieldKey(%q): %v", k, err)
		}
	}
	for _, k := range []string{"", "a", "1a", "Extra.x", "extra.", "extra..x", "extra.X", "extra.a-b"} {
		if err := FieldKey(k); err == nil {
			t.Errorf("FieldKey(%q) accepted", k)
		}
	}
}

func TestConstraint(t *testing.T) {
	if err := CheckLength("äöü", 3); err != nil {
		t.Errorf("CheckLength counts bytes: %v", err)
	}
	if err := CheckLength("abcd", 3); err == nil {
		t.Error("CheckLength(abcd, 3) accepted")
	} else {
		checkErr(t, "CheckLength", "abcd", err)
	}
	if err := CheckLength("abcd", 0); err != nil {
		t.Error("CheckLength with 0 must not limit")
	}
	type c struct {
		length     int
		re, ire, v string
		ok         bool
	}
	for _, tc := range []c{
		{2, `^[a-zA-Z0-9]{2}$`, "", "AT", true},
		{2, `^[a-zA-Z0-9]{2}$`, "", "A-", false},
		{2, `^[a-zA-Z0-9]{2}$`, "", "ATX", false},
		{0, `^.*[^\.]$`, "", "example.com", true},
		{0, `^.*[^\.]$`, "", "example.com.", false},
		{0, `^.*[^\.]$`, "", "a\nb", false},
		{200, `^[ -~]+$`, "", "d41d8cd98f00b204e9800998ecf8427e", true},
		{200, `^[ -~]+$`, "", "tab\there", false},
		{200, `^[ -~]+$`, "", "ü", false},
		{40, `^[A-F0-9./]+$`, "", "ABC123", true},
		{40, `^[A-F0-9./]+$`, "", "abc", false},
		{11, "", `^(ip|tcp|udp)$`, "TCP", true},
		{11, "", `^(ip|tcp|udp)$`, "sctp", false},
		{0, `b`, "", "abc", true}, // re.search: unanchored matches anywhere
	} {
		con, err := NewConstraint(tc.length, tc.re, tc.ire)
		if err != nil {
			t.Fatal(err)
		}
		err = con.Check(tc.v)
		if tc.ok != (err == nil) {
			t.Errorf("Constraint(%d, %q, %q).Check(%q) = %v, want ok=%v", tc.length, tc.re, tc.ire, tc.v, err, tc.ok)
		}
		// The fast matchers must agree with the regexp engine.
		if tc.re != "" {
			if re := CheckRegex(tc.v, tc.re); (re == nil) != (len(tc.v) <= tc.length || tc.length == 0) && (re == nil) != tc.ok {
				t.Errorf("CheckRegex(%q, %q) = %v", tc.v, tc.re, re)
			}
		}
	}
	if _, err := NewConstraint(0, `(?<=x)`, ""); err == nil {
		t.Error("a pattern RE2 cannot compile must be an error")
	}
	var nilC *Constraint
	if nilC.Check("x") != nil {
		t.Error("nil Constraint must accept")
	}
}
