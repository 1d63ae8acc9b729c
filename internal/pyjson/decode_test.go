package pyjson

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestUnmarshalValues(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{` true `, true},
		{"\t\r\nfalse", false},
		{`0`, int64(0)},
		{`-0`, int64(0)},
		{`-12`, int64(-12)},
		{`9223372036854775807`, int64(math.MaxInt64)},
		{`-9223372036854775808`, int64(math.MinInt64)},
		{`9223372036854775808`, BigInt("9223372036854775808")},
		{`-9223372036854775809`, BigInt("-9223372036854775809")},
		{`123456789012345678901234567890`, BigInt("123456789012345678901234567890")},
		{`1.0`, 1.0},
		{`-0.0`, math.Copysign(0, -1)},
		{`1E5`, 1e5},
		{`1e-5`, 1e-5},
		{`2.5e+3`, 2500.0},
		{`1e400`, math.Inf(1)},
		{`-1e400`, math.Inf(-1)},
		{`1e-400`, 0.0},
		{`Infinity`, math.Inf(1)},
		{`-Infinity`, math.Inf(-1)},
		{`""`, ""},
		{`"abc"`, "abc"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u00e9\u00E9é"`, "ééé"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD83D\uDE00"`, "😀"},
		{`"\ud800"`, "\uFFFD"},
		{`"\udc00"`, "\uFFFD"},
		{`"\ud800x"`, "\uFFFDx"},
		{`"\ud800\u0041"`, "\uFFFDA"},
		{`"\ud800\ud800\udc00"`, "\uFFFD\U00010000"},
		{`"\udc00\ud800"`, "\uFFFD\uFFFD"},
		{"\"\u2028\x7f/\"", "\u2028\x7f/"},
		{"\"a\xffb\"", "a\uFFFDb"},
		{"\"\xe2\x82A\"", "\uFFFDA"},
		{"\"\xed\xa0\x80\\n\"", "\uFFFD\uFFFD\uFFFD\n"},
		{`[]`, []any{}},
		{`[ ]`, []any{}},
		{`[1, "a", [null]]`, []any{int64(1), "a", []any{nil}}},
		{`{}`, map[string]any{}},
		{`{"a":1,"a":2}`, map[string]any{"a": int64(2)}},
		{`{ "a" : { "b" : [ ] } , "c" : NaN }`, map[string]any{"a": map[string]any{"b": []any{}}, "c": math.NaN()}},
	} {
		got, err := Unmarshal(tt.in)
		if err != nil {
			t.Errorf("Unmarshal(%q): %v", tt.in, err)
			continue
		}
		if !deepEqualNaN(got, tt.want) {
			t.Errorf("Unmarshal(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// deepEqualNaN is reflect.DeepEqual except that NaN equals NaN and the sign
// of zero matters.
func deepEqualNaN(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b && math.Signbit(a) == math.Signbit(b) || a != a && b != b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !deepEqualNaN(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !deepEqualNaN(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// TestUnmarshalErrors lists inputs Python's json.loads refuses, with our
// exact message.
func TestUnmarshalErrors(t *testing.T) {
	for _, tt := range []struct{ in, msg string }{
		{``, "pyjson: at offset 0: expected value, found end of input"},
		{`   `, "pyjson: at offset 3: expected value, found end of input"},
		{`{"source.ip": "192.0.2.1" }}`, "pyjson: at offset 27: expected end of input after top-level value, found '}'"},
		{`{"classification" }`, "pyjson: at offset 18: expected ':' after object key, found '}'"},
		{`{"a": 1 "b": 2}`, "pyjson: at offset 8: expected ',' or '}' after object member, found '\"'"},
		{`{"a": 1,}`, "pyjson: at offset 8: expected string for object key, found '}'"},
		{`{a: 1}`, "pyjson: at offset 1: expected string for object key, found 'a'"},
		{`{'a': 1}`, "pyjson: at offset 1: expected string for object key, found '''"},
		{`[1,]`, "pyjson: at offset 3: expected value, found ']'"},
		{`[1 2]`, "pyjson: at offset 3: expected ',' or ']' after array element, found '2'"},
		{`[1}`, "pyjson: at offset 2: expected ',' or ']' after array element, found '}'"},
		{`[`, "pyjson: at offset 1: expected value, found end of input"},
		{`{`, "pyjson: at offset 1: expected string for object key, found end of input"},
		{`"abc`, "pyjson: at offset 0: unterminated string"},
		{`"a\`, "pyjson: at offset 0: unterminated string"},
		{"\"a\nb\"", "pyjson: at offset 2: invalid control character byte 0x0a in string"},
		{"\"\\\x00\"", "pyjson: at offset 1: invalid escape '\\byte 0x00' in string"},
		{`"\x41"`, "pyjson: at offset 1: invalid escape '\\'x'' in string"},
		{`"\u12G4"`, "pyjson: at offset 1: invalid \\uXXXX escape"},
		{`"\u12"`, "pyjson: at offset 1: invalid \\uXXXX escape"},
		{`01`, "pyjson: at offset 1: expected end of input after top-level value, found '1'"},
		{`+1`, "pyjson: at offset 0: expected value, found '+'"},
		{`.5`, "pyjson: at offset 0: expected value, found '.'"},
		{`1.`, "pyjson: at offset 2: expected digit after decimal point, found end of input"},
		{`1.e5`, "pyjson: at offset 2: expected digit after decimal point, found 'e'"},
		{`1e`, "pyjson: at offset 2: expected digit in exponent, found end of input"},
		{`1e+`, "pyjson: at offset 3: expected digit in exponent, found end of input"},
		{`-`, "pyjson: at offset 1: expected digit, found end of input"},
		{`-a`, "pyjson: at offset 1: expected digit after '-', found 'a'"},
		{`-NaN`, "pyjson: at offset 1: expected digit after '-', found 'N'"},
		{`nan`, "pyjson: at offset 0: expected null, found 'n'"},
		{`Inf`, "pyjson: at offset 0: expected value, found 'I'"},
		{`-Inf`, "pyjson: at offset 1: expected digit after '-', found 'I'"},
		{`infinity`, "pyjson: at offset 0: expected value, found 'i'"},
		{`tru`, "pyjson: at offset 0: expected true or false, found 't'"},
		{`True`, "pyjson: at offset 0: expected value, found 'T'"},
		{`nul`, "pyjson: at offset 0: expected null, found 'n'"},
		{`truefalse`, "pyjson: at offset 4: expected end of input after top-level value, found 'f'"},
		{"\ufeff{}", "pyjson: at offset 0: expected value, found U+FEFF"},
		{"\x0b1", "pyjson: at offset 0: expected value, found byte 0x0b"},
		{"\xff", "pyjson: at offset 0: expected value, found invalid UTF-8 byte 0xff"},
		{`/* c */ 1`, "pyjson: at offset 0: expected value, found '/'"},
		{strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), "pyjson: at offset 10000: nesting deeper than 10000 levels"},
	} {
		v, err := Unmarshal(tt.in)
		if err == nil {
			t.Errorf("Unmarshal(%q) = %#v, want error %q", tt.in, v, tt.msg)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("Unmarshal(%q):\n got  %s\n want %s", tt.in, err, tt.msg)
		}
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Unmarshal(%q): %v is not ErrSyntax", tt.in, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(tt.in) {
			t.Errorf("Unmarshal(%q): bad *Error %#v", tt.in, err)
		}
	}
	// The depth limit itself is accepted, as by encoding/json.
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := Unmarshal(deep); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	if err := NewDecoder(deep).Skip(); err != nil {
		t.Errorf("Skip depth %d: %v", maxDepth, err)
	}
	if err := NewDecoder("[" + deep + "]").Skip(); err == nil {
		t.Errorf("Skip depth %d: no error", maxDepth+1)
	}
}

const testEvent = `{"__type": "Event", "classification.taxonomy": "malicious-code", "classification.type": "infected-system", ` +
	`"extra.tags": ["a", "b"], "feed.accuracy": 100.0, "feed.name": "Spamhaus CERT", "feed.provider": "Spamhaus", ` +
	`"feed.url": "https://example.com/feed?x=1", "malware.name": "zeus", "protocol.application": "http", ` +
	`"protocol.transport": "tcp", "raw": "MTkyLjAuMi4xLDY0NDk2", "source.asn": 64496, "source.fqdn": "host.example.org", ` +
	`"source.geolocation.cc": "AT", "source.geolocation.city": "Wien", "source.geolocation.latitude": 48.2, ` +
	`"source.geolocation.longitude": 16.37, "source.ip": "192.0.2.1", "time.source": "2024-01-02T03:04:05+00:00"}`

// event is what a typical hand-written consumer extracts.
type event struct {
	strs     map[string]string
	asn      int64
	lat, lon float64
	tags     []string
}

// decodeEvent walks testEvent with the pull API as a hand-written decoder
// would; it reuses ev's storage so a steady state needs no allocation.
func decodeEvent(d *Decoder, ev *event) error {
	if err := d.BeginObject(); err != nil {
		return err
	}
	ev.tags = ev.tags[:0]
	for {
		k, ok, err := d.NextMember()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch k {
		case "source.asn":
			ev.asn, err = d.Int()
		case "source.geolocation.latitude":
			ev.lat, err = d.Float()
		case "source.geolocation.longitude":
			ev.lon, err = d.Float()
		case "extra.tags":
			if err = d.BeginArray(); err != nil {
				return err
			}
			for {
				ok, err := d.NextElem()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				s, err := d.String()
				if err != nil {
					return err
				}
				ev.tags = append(ev.tags, s)
			}
		default:
			if d.Kind() == String {
				var s string
				s, err = d.String()
				ev.strs[k] = s
			} else {
				err = d.Skip()
			}
		}
		if err != nil {
			return err
		}
	}
	return d.End()
}

func TestPullAPI(t *testing.T) {
	ev := event{strs: map[string]string{}}
	d := NewDecoder(testEvent)
	if err := decodeEvent(d, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.asn != 64496 || ev.lat != 48.2 || ev.lon != 16.37 || !reflect.DeepEqual(ev.tags, []string{"a", "b"}) ||
		ev.strs["source.ip"] != "192.0.2.1" || ev.strs["__type"] != "Event" || len(ev.strs) != 15 {
		t.Errorf("decoded %+v", ev)
	}
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(testEvent)
		if err := decodeEvent(d, &ev); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("decoding an escape-free event allocates %v times, want 0", allocs)
	}
}

func TestDecoderMethods(t *testing.T) {
	d := NewDecoder(` {"n": [1, -2.5e3, 99999999999999999999, NaN], "s": "a\nb", "t": true, "f": false, "z": null, "r": {"x": [1, {}]} } `)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	key := func(want string) {
		t.Helper()
		k, ok, err := d.NextMember()
		if err != nil || !ok || k != want {
			t.Fatalf("NextMember = %q, %v, %v; want %q", k, ok, err, want)
		}
	}
	elem := func() {
		t.Helper()
		if ok, err := d.NextElem(); err != nil || !ok {
			t.Fatalf("NextElem = %v, %v", ok, err)
		}
	}
	if k := d.Kind(); k != Object {
		t.Fatalf("Kind = %v", k)
	}
	must(d.BeginObject())
	key("n")
	must(d.BeginArray())
	elem()
	if raw, isInt, err := d.Number(); raw != "1" || !isInt || err != nil {
		t.Errorf("Number = %q, %v, %v", raw, isInt, err)
	}
	elem()
	if raw, isInt, err := d.Number(); raw != "-2.5e3" || isInt || err != nil {
		t.Errorf("Number = %q, %v, %v", raw, isInt, err)
	}
	elem()
	off := d.Offset()
	if _, err := d.Int(); !errors.Is(err, ErrRange) {
		t.Errorf("Int of big integer: %v, want ErrRange", err)
	}
	// Errors are sticky.
	if _, _, err := d.NextMember(); !errors.Is(err, ErrRange) || err.(*Error).Offset != off+1 {
		t.Errorf("sticky error: %v", err)
	}

	d = NewDecoder(`{"n": 1.5, "s": "a\nb", "t": true, "f": false, "z": null, "r": {"x": [1, {}]}, "e": "é"}`)
	must(d.BeginObject())
	key("n")
	if f, err := d.Float(); f != 1.5 || err != nil {
		t.Errorf("Float = %v, %v", f, err)
	}
	key("s")
	if s, err := d.String(); s != "a\nb" || err != nil {
		t.Errorf("String = %q, %v", s, err)
	}
	key("t")
	if b, err := d.Bool(); !b || err != nil {
		t.Errorf("Bool = %v, %v", b, err)
	}
	key("f")
	if d.Kind() != False {
		t.Errorf("Kind = %v, want false", d.Kind())
	}
	if b, err := d.Bool(); b || err != nil {
		t.Errorf("Bool = %v, %v", b, err)
	}
	key("z")
	if d.Kind() != Null {
		t.Errorf("Kind = %v, want null", d.Kind())
	}
	must(d.Null())
	key("r")
	if raw, err := d.RawValue(); raw != `{"x": [1, {}]}` || err != nil {
		t.Errorf("RawValue = %q, %v", raw, err)
	}
	key("e")
	if v, err := d.Value(); v != "é" || err != nil {
		t.Errorf("Value = %v, %v", v, err)
	}
	if k, ok, err := d.NextMember(); ok || err != nil || k != "" {
		t.Errorf("NextMember at end = %q, %v, %v", k, ok, err)
	}
	must(d.End())
	must(d.End()) // idempotent
}

func TestDecoderTypeErrors(t *testing.T) {
	for _, tt := range []struct {
		in  string
		use func(d *Decoder) error
		msg string
	}{
		{`"x"`, func(d *Decoder) error { _, err := d.Int(); return err }, "pyjson: at offset 0: expected number, found string '\"'"},
		{`1.0`, func(d *Decoder) error { _, err := d.Int(); return err }, "pyjson: at offset 0: expected integer, found float 1.0"},
		{` [1]`, func(d *Decoder) error { return d.BeginObject() }, "pyjson: at offset 1: expected object, found array '['"},
		{`{}`, func(d *Decoder) error { return d.BeginArray() }, "pyjson: at offset 0: expected array, found object '{'"},
		{`null`, func(d *Decoder) error { _, err := d.String(); return err }, "pyjson: at offset 0: expected string, found null 'n'"},
		{`1`, func(d *Decoder) error { _, err := d.Bool(); return err }, "pyjson: at offset 0: expected boolean, found number '1'"},
		{`true`, func(d *Decoder) error { return d.Null() }, "pyjson: at offset 0: expected null, found true 't'"},
		{`"a"`, func(d *Decoder) error { _, err := d.Float(); return err }, "pyjson: at offset 0: expected number, found string '\"'"},
	} {
		err := tt.use(NewDecoder(tt.in))
		if err == nil || err.Error() != tt.msg || !errors.Is(err, ErrType) {
			t.Errorf("%q: got %v, want ErrType %q", tt.in, err, tt.msg)
		}
	}
}

func TestDecoderUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		in  string
		use func(d *Decoder) error
	}{
		{`1`, func(d *Decoder) error { d.Skip(); return d.Skip() }},
		{`{"a": 1}`, func(d *Decoder) error { d.BeginObject(); return d.Skip() }},
		{`[1]`, func(d *Decoder) error { d.BeginArray(); _, err := d.String(); return err }},
		{`[1]`, func(d *Decoder) error { d.BeginArray(); _, _, err := d.NextMember(); return err }},
		{`{"a": 1}`, func(d *Decoder) error { d.BeginObject(); _, err := d.NextElem(); return err }},
		{`{"a": 1}`, func(d *Decoder) error { d.BeginObject(); d.NextMember(); _, _, err := d.NextMember(); return err }},
		{`[1]`, func(d *Decoder) error { d.BeginArray(); d.NextElem(); _, err := d.NextElem(); return err }},
		{`1`, func(d *Decoder) error { _, err := d.NextElem(); return err }},
		{`[1]`, func(d *Decoder) error { return d.End() }},
		{`[1]`, func(d *Decoder) error { d.BeginArray(); return d.End() }},
		{`{"a": 1}`, func(d *Decoder) error { d.BeginObject(); d.NextMember(); return d.End() }},
	} {
		if err := tt.use(NewDecoder(tt.in)); !errors.Is(err, ErrUsage) {
			t.Errorf("%q: got %v, want ErrUsage", tt.in, err)
		}
	}
	var d Decoder // zero value: empty document
	if err := d.End(); !errors.Is(err, ErrSyntax) {
		t.Errorf("zero Decoder End: %v", err)
	}
	// Deep nesting through the explicit stack (beyond its 64 inline levels).
	const n = 200
	doc := strings.Repeat(`{"a": [`, n) + strings.Repeat(`]}`, n) // {"a": [{"a": [ ... []}]}
	d.Reset(doc)
	for i := 0; i < n; i++ {
		if err := d.BeginObject(); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := d.NextMember(); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if err := d.BeginArray(); err != nil {
			t.Fatal(err)
		}
		if i < n-1 {
			if ok, err := d.NextElem(); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
	}
	for i := 0; i < n; i++ {
		if ok, err := d.NextElem(); ok || err != nil {
			t.Fatal(i, ok, err)
		}
		if _, ok, err := d.NextMember(); ok || err != nil {
			t.Fatal(i, ok, err)
		}
	}
	if err := d.End(); err != nil {
		t.Fatal(err)
	}
}

// TestZeroCopyString checks that escape-free strings share the input.
func TestZeroCopyString(t *testing.T) {
	in := `"plain ascii and UTF-8: é😀"`
	d := NewDecoder(in)
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(in)
		if _, err := d.String(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("String allocates %v times", allocs)
	}
}

// TestRoundTrip checks Append → Unmarshal → Append is the identity, for
// all options.
func TestRoundTrip(t *testing.T) {
	for _, opts := range []Options{{}, {EnsureASCII: true}, {Compact: true}, {EnsureASCII: true, Compact: true}} {
		for _, v := range []any{appendTestValue, nil, "x\u2028\x00", []any{}, map[string]any{"": BigInt("-99999999999999999999")}} {
			b1, err := Append(nil, v, opts)
			if err != nil {
				t.Fatal(err)
			}
			v2, err := Unmarshal(string(b1))
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", b1, err)
			}
			b2, err := Append(nil, v2, opts)
			if err != nil || string(b1) != string(b2) {
				t.Errorf("round trip with %+v:\n%s\n%s (%v)", opts, b1, b2, err)
			}
		}
	}
	for _, tt := range stringTests {
		for _, ascii := range []bool{false, true} {
			b := AppendString(nil, tt.in, ascii)
			v, err := Unmarshal(string(b))
			if err != nil || string(AppendString(nil, v.(string), ascii)) != string(b) {
				t.Errorf("%s: round trip of %s gave %q, %v", tt.name, b, v, err)
			}
		}
	}
	for _, tt := range floatTests {
		v, err := Unmarshal(tt.want)
		if err != nil || string(AppendFloat(nil, v.(float64))) != tt.want {
			t.Errorf("float round trip of %s gave %v, %v", tt.want, v, err)
		}
	}
}

// TestAgainstEncodingJSON compares Unmarshal with encoding/json on valid
// documents (with numbers mapped to float64 as encoding/json does).
func TestAgainstEncodingJSON(t *testing.T) {
	docs := []string{
		testEvent,
		`[1, -0, 1.5e300, "\u0000\ud83d\ude00\u00e9", {"a": {"b": [[]]}}, true, false, null]`,
		`{"dup": 1, "dup": [2]}`,
		"\"\\ud800 \\udfff\"",
		`12345678901234567890123`,
	}
	for _, s := range docs {
		if err := compareWithStd(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// compareWithStd reports how Unmarshal and encoding/json disagree on s, for
// input that is valid UTF-8 (both replace invalid UTF-8, but with different
// policies). Documents with NaN or Infinity, or numbers that overflow
// float64, are accepted only by us and must be filtered by the caller.
func compareWithStd(s string) error {
	var want any
	stdErr := json.Unmarshal([]byte(s), &want)
	got, err := Unmarshal(s)
	switch {
	case stdErr != nil && err != nil:
		return nil
	case stdErr != nil:
		return errors.New("accepted, encoding/json says " + stdErr.Error())
	case err != nil:
		return errors.New("refused (" + err.Error() + "), encoding/json accepts")
	}
	if !deepEqualNaN(toStd(got), toStd(want)) {
		return errors.New("values differ")
	}
	return nil
}

// toStd maps our number types onto encoding/json's float64.
func toStd(v any) any {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case BigInt:
		return parseFloat(string(v))
	case float64:
		if v == 0 {
			return 0.0 // we make "-0" the int 0, encoding/json the float -0
		}
		return v
	case []any:
		for i := range v {
			v[i] = toStd(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = toStd(v[k])
		}
	}
	return v
}
