package pyjson

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzAppendString(f *testing.F) {
	for _, tt := range stringTests {
		f.Add(tt.in, false)
		f.Add(tt.in, true)
	}
	f.Fuzz(func(t *testing.T, s string, ascii bool) {
		out := AppendString(nil, s, ascii)
		if !json.Valid(out) {
			t.Fatalf("AppendString(%q, %v) = %q: not valid JSON", s, ascii, out)
		}
		if ascii {
			for _, c := range out {
				if c < 0x20 || c >= 0x7f {
					t.Fatalf("AppendString(%q, true) = %q: byte 0x%02x not escaped", s, out, c)
				}
			}
		}
		// Our reading gives back the input, with invalid UTF-8 replaced.
		v, err := Unmarshal(string(out))
		if err != nil || v != toValidUTF8(s) {
			t.Fatalf("Unmarshal(%q) = %q, %v; want %q", out, v, err, toValidUTF8(s))
		}
		if utf8.ValidString(s) {
			var back string
			if err := json.Unmarshal(out, &back); err != nil || back != s {
				t.Fatalf("encoding/json reads %q as %q, %v; want %q", out, back, err, s)
			}
		}
	})
}

// reprOracle is an independent formulation of Python's float repr, used to
// check AppendFloat: strconv's shortest fixed notation plus ".0" when the
// decimal exponent is in [-4, 16), otherwise its shortest 'e' notation.
func reprOracle(f float64) string {
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func FuzzAppendFloat(f *testing.F) {
	for _, tt := range floatTests {
		f.Add(math.Float64bits(tt.in))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		x := math.Float64frombits(bits)
		out := string(AppendFloat(nil, x))
		if math.IsNaN(x) || math.IsInf(x, 0) {
			v, err := Unmarshal(out)
			if err != nil || !deepEqualNaN(v, x) {
				t.Fatalf("%v written as %q reads back as %v, %v", x, out, v, err)
			}
			return
		}
		if want := reprOracle(x); out != want {
			t.Fatalf("AppendFloat(%v) = %q, want %q", x, out, want)
		}
		y, err := strconv.ParseFloat(out, 64)
		if err != nil || math.Float64bits(y) != bits {
			t.Fatalf("AppendFloat(%v) = %q parses as %v, %v", x, out, y, err)
		}
		// repr of a float never looks like an int, so it reads back as float.
		if v, err := Unmarshal(out); err != nil || !deepEqualNaN(v, x) {
			t.Fatalf("Unmarshal(%q) = %#v, %v", out, v, err)
		}
	})
}

func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		testEvent, `[]`, `{}`, `""`, `0`, `-0.0e-0`, `NaN`, `-Infinity`, `1e400`, `[1,]`, `{"a":1,}`,
		`"\ud83d\ude00\ud800"`, "\"\xff\xed\xa0\x80\"", `{"a" : [ true , false , null ] }`,
		`99999999999999999999`, `"\u0000\/"`, "\ufeff1", `[[[[[]]]]]`, `[1}`, `{"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := string(data)
		v, err := Unmarshal(s)

		// Skip and RawValue validate exactly as Unmarshal does.
		d := NewDecoder(s)
		raw, rawErr := d.RawValue()
		if rawErr == nil {
			rawErr = d.End()
		}
		if (err == nil) != (rawErr == nil) {
			t.Fatalf("Unmarshal error %v but RawValue+End error %v", err, rawErr)
		}
		if err == nil && strings.TrimSpace(raw) != raw {
			t.Fatalf("RawValue %q has surrounding space", raw)
		}

		var std any
		stdErr := json.Unmarshal(data, &std)
		switch {
		case err != nil && stdErr == nil:
			t.Fatalf("refused (%v), encoding/json accepts", err)
		case err == nil && stdErr != nil && !hasNonFinite(v):
			t.Fatalf("accepted as %#v, encoding/json refuses: %v", v, stdErr)
		case err == nil && stdErr == nil && utf8.Valid(data):
			if !deepEqualNaN(toStd(copyValue(v)), toStd(std)) {
				t.Fatalf("Unmarshal = %#v, encoding/json = %#v", v, std)
			}
		}
		if err != nil {
			return
		}
		// Writing is deterministic and stable under a read/write cycle.
		for _, opts := range []Options{{}, {EnsureASCII: true, Compact: true}} {
			b1, err := Append(nil, v, opts)
			if err != nil {
				t.Fatal(err)
			}
			v2, err := Unmarshal(string(b1))
			if err != nil {
				t.Fatalf("Unmarshal(%q): %v", b1, err)
			}
			if b2, _ := Append(nil, v2, opts); string(b1) != string(b2) {
				t.Fatalf("round trip: %q != %q", b1, b2)
			}
		}
	})
}

// hasNonFinite reports NaN or ±Inf anywhere in v: Python's NaN, Infinity,
// -Infinity and overflowing numbers like 1e400, which only we accept.
func hasNonFinite(v any) bool {
	switch v := v.(type) {
	case float64:
		return math.IsNaN(v) || math.IsInf(v, 0)
	case BigInt:
		f := parseFloat(string(v))
		return math.IsInf(f, 0)
	case []any:
		for _, e := range v {
			if hasNonFinite(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if hasNonFinite(e) {
				return true
			}
		}
	}
	return false
}

// copyValue deep-copies v, because toStd rewrites in place.
func copyValue(v any) any {
	switch v := v.(type) {
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = copyValue(e)
		}
		return c
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = copyValue(e)
		}
		return c
	}
	return v
}
