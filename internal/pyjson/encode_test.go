package pyjson

import (
	"errors"
	"math"
	"testing"
)

// Expected outputs below were produced once with CPython 3.11's
// json.dumps(s.decode("utf-8", "replace"), ensure_ascii=False/True) and
// json.dumps(f), and pasted here so the tests stay hermetic.
var stringTests = []struct {
	name, in, utf8Out, asciiOut string
}{
	{"empty", "", "\"\"", "\"\""},
	{"plain", "hello, world", "\"hello, world\"", "\"hello, world\""},
	{"quote", "say \"hi\"", "\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\""},
	{"backslash", "C:\\temp\\x", "\"C:\\\\temp\\\\x\"", "\"C:\\\\temp\\\\x\""},
	{"slash", "http://example.com/a/b", "\"http://example.com/a/b\"", "\"http://example.com/a/b\""},
	{"del", "a\x7fb", "\"a\x7fb\"", "\"a\\u007fb\""},
	{"short escapes", "\x08\x0c\x0a\x0d\x09", "\"\\b\\f\\n\\r\\t\"", "\"\\b\\f\\n\\r\\t\""},
	{"all controls", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f", "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"", "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""},
	{"latin1", "Gr\xc3\xbc\xc3\x9fe, caf\xc3\xa9", "\"Gr\xc3\xbc\xc3\x9fe, caf\xc3\xa9\"", "\"Gr\\u00fc\\u00dfe, caf\\u00e9\""},
	{"euro", "\xe2\x82\xac100", "\"\xe2\x82\xac100\"", "\"\\u20ac100\""},
	{"cjk", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"", "\"\\u65e5\\u672c\\u8a9e\""},
	{"emoji", "hi \xf0\x9f\x98\x80!", "\"hi \xf0\x9f\x98\x80!\"", "\"hi \\ud83d\\ude00!\""},
	{"max rune", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "\"\\udbff\\udfff\""},
	{"U+2028 U+2029", "a\xe2\x80\xa8b\xe2\x80\xa9c", "\"a\xe2\x80\xa8b\xe2\x80\xa9c\"", "\"a\\u2028b\\u2029c\""},
	{"U+FFFD itself", "\xef\xbf\xbd", "\"\xef\xbf\xbd\"", "\"\\ufffd\""},
	{"BOM char", "\xef\xbb\xbfx", "\"\xef\xbb\xbfx\"", "\"\\ufeffx\""},
	{"invalid lone continuation", "a\x80b", "\"a\xef\xbf\xbdb\"", "\"a\\ufffdb\""},
	{"invalid lead", "\xffz", "\"\xef\xbf\xbdz\"", "\"\\ufffdz\""},
	{"truncated 3-byte", "\xe2\x82A", "\"\xef\xbf\xbdA\"", "\"\\ufffdA\""},
	{"truncated 4-byte at end", "x\xf0\x9f\x98", "\"x\xef\xbf\xbd\"", "\"x\\ufffd\""},
	{"overlong", "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"", "\"\\ufffd\\ufffd\""},
	{"encoded surrogate", "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "\"\\ufffd\\ufffd\\ufffd\""},
	{"beyond U+10FFFF", "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
	{"overlong 3-byte", "\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "\"\\ufffd\\ufffd\\ufffd\""},
	{"long ascii with escape late", "0123456789abcdefghijklmnopqrstuvwxyz0123456789\"end", "\"0123456789abcdefghijklmnopqrstuvwxyz0123456789\\\"end\"", "\"0123456789abcdefghijklmnopqrstuvwxyz0123456789\\\"end\""},
}

func TestAppendString(t *testing.T) {
	for _, tt := range stringTests {
		if got := string(AppendString(nil, tt.in, false)); got != tt.utf8Out {
			t.Errorf("%s: ensure_ascii=False: got %q, want %q", tt.name, got, tt.utf8Out)
		}
		if got := string(AppendString(nil, tt.in, true)); got != tt.asciiOut {
			t.Errorf("%s: ensure_ascii=True: got %q, want %q", tt.name, got, tt.asciiOut)
		}
		// Appending must keep what is already in dst.
		if got := string(AppendString([]byte("x"), tt.in, false)); got != "x"+tt.utf8Out {
			t.Errorf("%s: append to prefix: got %q", tt.name, got)
		}
	}
}

// TestAppendStringEveryByteOffset moves each special character through all
// positions of a long ASCII string, so that every lane of the 8-byte fast
// path and the byte-wise tail see it.
func TestAppendStringEveryByteOffset(t *testing.T) {
	specials := []struct{ in, utf8Out, asciiOut string }{
		{`"`, `\"`, `\"`},
		{`\`, `\\`, `\\`},
		{"\x00", `\u0000`, `\u0000`},
		{"\x1f", `\u001f`, `\u001f`},
		{"\n", `\n`, `\n`},
		{"\x7f", "\x7f", `\u007f`},
		{"é", "é", `\u00e9`},
		{"\xff", "\uFFFD", `\ufffd`},
		{"😀", "😀", `\ud83d\ude00`},
	}
	const pad = "abcdefghijklmnopqrstuvwxyz012345"
	for _, sp := range specials {
		for i := 0; i <= len(pad); i++ {
			in := pad[:i] + sp.in + pad[i:]
			want := `"` + pad[:i] + sp.utf8Out + pad[i:] + `"`
			if got := string(AppendString(nil, in, false)); got != want {
				t.Errorf("utf8 %q: got %q, want %q", in, got, want)
			}
			want = `"` + pad[:i] + sp.asciiOut + pad[i:] + `"`
			if got := string(AppendString(nil, in, true)); got != want {
				t.Errorf("ascii %q: got %q, want %q", in, got, want)
			}
		}
	}
}

var floatTests = []struct {
	in   float64
	want string
}{
	{0.0, "0.0"},
	{math.Copysign(0, -1), "-0.0"},
	{1.0, "1.0"},
	{-1.0, "-1.0"},
	{0.1, "0.1"},
	{0.30000000000000004, "0.30000000000000004"},
	{1e-05, "1e-05"},
	{0.0001, "0.0001"},
	{0.00012345, "0.00012345"},
	{1e+16, "1e+16"},
	{1000000000000000.0, "1000000000000000.0"},
	{9999999999999998.0, "9999999999999998.0"},
	{123456789012345.0, "123456789012345.0"},
	{1234567890123456.0, "1234567890123456.0"},
	{1.2345678901234568e+16, "1.2345678901234568e+16"},
	{123456789.123, "123456789.123"},
	{5e-324, "5e-324"},
	{2.2250738585072014e-308, "2.2250738585072014e-308"},
	{1.7976931348623157e+308, "1.7976931348623157e+308"},
	{2.5, "2.5"},
	{100.0, "100.0"},
	{-1.5e-07, "-1.5e-07"},
	{1e+100, "1e+100"},
	{1e+22, "1e+22"},
	{1e+21, "1e+21"},
	{48.2, "48.2"},
	{16.37, "16.37"},
	{0.3333333333333333, "0.3333333333333333"},
	{9007199254740992.0, "9007199254740992.0"},
	{9.223372036854776e+18, "9.223372036854776e+18"},
	{0.0001, "0.0001"},
	{9.999999999999999e-05, "9.999999999999999e-05"},
	{0.5, "0.5"},
	{3.14159, "3.14159"},
	{-273.15, "-273.15"},
	{6.02214076e+23, "6.02214076e+23"},
	{0x1p-1074, "5e-324"},
	{math.NaN(), "NaN"},
	{math.Inf(1), "Infinity"},
	{math.Inf(-1), "-Infinity"},
}

func TestAppendFloat(t *testing.T) {
	for _, tt := range floatTests {
		if got := string(AppendFloat(nil, tt.in)); got != tt.want {
			t.Errorf("AppendFloat(%v) = %q, want %q", tt.in, got, tt.want)
		}
		got, err := AppendFloatStrict([]byte("x"), tt.in)
		if math.IsNaN(tt.in) || math.IsInf(tt.in, 0) {
			if !errors.Is(err, ErrNaN) || string(got) != "x" {
				t.Errorf("AppendFloatStrict(%v) = %q, %v; want ErrNaN", tt.in, got, err)
			}
		} else if err != nil || string(got) != "x"+tt.want {
			t.Errorf("AppendFloatStrict(%v) = %q, %v", tt.in, got, err)
		}
	}
}

func TestAppendScalars(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{string(AppendInt(nil, 0)), "0"},
		{string(AppendInt(nil, -42)), "-42"},
		{string(AppendInt(nil, math.MinInt64)), "-9223372036854775808"},
		{string(AppendInt(nil, math.MaxInt64)), "9223372036854775807"},
		{string(AppendBool(nil, true)), "true"},
		{string(AppendBool(nil, false)), "false"},
		{string(AppendNull(nil)), "null"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// appendTestValue exercises sorting (including U+10000 after U+FFFF, where
// UTF-16 order would differ), nesting, big ints and NaN.
var appendTestValue = map[string]any{
	"b":    []any{1, 2.5, nil, true, false, "é"},
	"a":    map[string]any{"z": "😀", "é": int64(1), "e": math.Copysign(0, -1), "\uffff": 2, "\U00010000": 3, "\ue000": 4, "Z": map[string]any{}, "": []any{}},
	"big":  BigInt("1180591620717411303424"),
	"nbig": BigInt("-18446744073709551616"),
	"nan":  []any{math.NaN(), math.Inf(1), math.Inf(-1)},
	"f":    1e16,
}

func TestAppend(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{}, "{\"a\": {\"\": [], \"Z\": {}, \"e\": -0.0, \"z\": \"\xf0\x9f\x98\x80\", \"\xc3\xa9\": 1, \"\xee\x80\x80\": 4, \"\xef\xbf\xbf\": 2, \"\xf0\x90\x80\x80\": 3}, \"b\": [1, 2.5, null, true, false, \"\xc3\xa9\"], \"big\": 1180591620717411303424, \"f\": 1e+16, \"nan\": [NaN, Infinity, -Infinity], \"nbig\": -18446744073709551616}"},
		{Options{EnsureASCII: true}, "{\"a\": {\"\": [], \"Z\": {}, \"e\": -0.0, \"z\": \"\\ud83d\\ude00\", \"\\u00e9\": 1, \"\\ue000\": 4, \"\\uffff\": 2, \"\\ud800\\udc00\": 3}, \"b\": [1, 2.5, null, true, false, \"\\u00e9\"], \"big\": 1180591620717411303424, \"f\": 1e+16, \"nan\": [NaN, Infinity, -Infinity], \"nbig\": -18446744073709551616}"},
		{Options{EnsureASCII: true, Compact: true}, "{\"a\":{\"\":[],\"Z\":{},\"e\":-0.0,\"z\":\"\\ud83d\\ude00\",\"\\u00e9\":1,\"\\ue000\":4,\"\\uffff\":2,\"\\ud800\\udc00\":3},\"b\":[1,2.5,null,true,false,\"\\u00e9\"],\"big\":1180591620717411303424,\"f\":1e+16,\"nan\":[NaN,Infinity,-Infinity],\"nbig\":-18446744073709551616}"},
	} {
		got, err := Append(nil, appendTestValue, tt.opts)
		if err != nil || string(got) != tt.want {
			t.Errorf("Append(%+v) =\n%s, %v\nwant\n%s", tt.opts, got, err, tt.want)
		}
	}
	if _, err := Append(nil, appendTestValue, Options{DisallowNaN: true}); !errors.Is(err, ErrNaN) {
		t.Errorf("DisallowNaN: got %v, want ErrNaN", err)
	}
}

func TestAppendErrors(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for _, v := range []any{
		struct{}{},
		[]string{"a"},
		float32(1),
		BigInt("12a"),
		BigInt("01"),
		BigInt(""),
		BigInt("-"),
		cyclic,
	} {
		if got, err := Append(nil, v, Options{}); err == nil {
			t.Errorf("Append(%#v) = %q, want error", v, got)
		}
	}
}

// TestAppendInvalidKeys checks that keys are sorted by the text written,
// i.e. after U+FFFD replacement, as Python would sort the replaced str.
func TestAppendInvalidKeys(t *testing.T) {
	m := map[string]any{"\xff": 1, "\uFFFE": 2, "\uE000": 3}
	got, err := Append(nil, m, Options{})
	want := "{\"\uE000\": 3, \"\uFFFD\": 1, \"\uFFFE\": 2}"
	if err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

func TestWriter(t *testing.T) {
	var w Writer
	write := func() {
		w.BeginObject()
		w.Key("z")
		w.Int(1)
		w.Key("a")
		w.BeginArray()
		w.String("x")
		w.Float(1)
		w.BeginObject()
		w.EndObject()
		w.BeginArray()
		w.EndArray()
		w.Null()
		w.Bool(true)
		w.Raw(`{"k": [1]}`)
		w.Value(map[string]any{"b": 1, "a": "é"})
		w.EndArray()
		w.Key("é")
		w.Float(math.NaN())
		w.EndObject()
	}
	write()
	want := `{"z": 1, "a": ["x", 1.0, {}, [], null, true, {"k": [1]}, {"a": "é", "b": 1}], "é": NaN}`
	if string(w.Buf) != want || w.Err() != nil {
		t.Errorf("default: got %s, %v\nwant %s", w.Buf, w.Err(), want)
	}
	w.Reset()
	w.Options = Options{EnsureASCII: true, Compact: true, DisallowNaN: true}
	write()
	want = `{"z":1,"a":["x",1.0,{},[],null,true,{"k": [1]},{"a":"\u00e9","b":1}],"\u00e9":null}`
	if string(w.Buf) != want || !errors.Is(w.Err(), ErrNaN) {
		t.Errorf("compact: got %s, %v\nwant %s", w.Buf, w.Err(), want)
	}
}

func TestSeparatorConstants(t *testing.T) {
	b, _ := Append(nil, map[string]any{"a": []any{1, 2}}, Options{})
	if want := `{"a"` + KeySeparator + `[1` + ItemSeparator + `2]}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	b, _ = Append(nil, map[string]any{"a": []any{1, 2}}, Options{Compact: true})
	if want := `{"a"` + CompactKeySeparator + `[1` + CompactItemSeparator + `2]}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
