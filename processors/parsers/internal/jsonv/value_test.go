package jsonv

import (
	"errors"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// The wanted texts are what CPython 3 prints for json.dumps(v),
// json.dumps(v, sort_keys=True) and str(v) of v = json.loads(doc).
func TestPythonForms(t *testing.T) {
	for _, c := range []struct{ doc, dumps, sorted, str string }{
		{
			`{"b": 1, "a": [1.0, 2.5e-7, -0, 1e400, "x\u00e9\ud83d\ude00"], "b": {"z": null, "y": true}}`,
			`{"b": {"z": null, "y": true}, "a": [1.0, 2.5e-07, 0, Infinity, "x\u00e9\ud83d\ude00"]}`,
			`{"a": [1.0, 2.5e-07, 0, Infinity, "x\u00e9\ud83d\ude00"], "b": {"y": true, "z": null}}`,
			`{'b': {'z': None, 'y': True}, 'a': [1.0, 2.5e-07, 0, inf, 'xé😀']}`,
		},
		{
			`[NaN, -Infinity, 12345678901234567890123, 0.1, 1E5]`,
			`[NaN, -Infinity, 12345678901234567890123, 0.1, 100000.0]`,
			`[NaN, -Infinity, 12345678901234567890123, 0.1, 100000.0]`,
			`[nan, -inf, 12345678901234567890123, 0.1, 100000.0]`,
		},
		{
			`"quote' and \" \u0007 tab\t"`,
			`"quote' and \" \u0007 tab\t"`,
			`"quote' and \" \u0007 tab\t"`,
			"quote' and \" \a tab\t",
		},
		{
			`{"k": "it's", "n": [null, false], "e": {}}`,
			`{"k": "it's", "n": [null, false], "e": {}}`,
			`{"e": {}, "k": "it's", "n": [null, false]}`,
			`{'k': "it's", 'n': [None, False], 'e': {}}`,
		},
	} {
		v, err := Parse(c.doc)
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		if got := v.JSON(Options{}); got != c.dumps {
			t.Errorf("dumps %s:\n got %s\nwant %s", c.doc, got, c.dumps)
		}
		if got := v.JSON(Options{SortKeys: true}); got != c.sorted {
			t.Errorf("dumps sorted %s:\n got %s\nwant %s", c.doc, got, c.sorted)
		}
		if got := v.PyStr(); got != c.str {
			t.Errorf("str %s:\n got %s\nwant %s", c.doc, got, c.str)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, doc := range []string{"", "{", `{"a": 1} x`, "[1,]", "tru"} {
		if _, err := Parse(doc); !errors.Is(err, ErrNotJSON) {
			t.Errorf("%q: %v, want ErrNotJSON", doc, err)
		}
	}
}

func TestEqualAndTruth(t *testing.T) {
	v := func(doc string) Value {
		x, err := Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, c := range []struct {
		a, b string
		eq   bool
	}{
		{"1", "1.0", true}, {"true", "1", true}, {"0", "false", true}, {`"1"`, "1", false},
		{`[null, ""]`, `[null, ""]`, true}, {`{"a": 1, "b": 2}`, `{"b": 2, "a": 1}`, true},
		{`{"a": 1}`, `{"a": 2}`, false}, {"null", "null", true}, {"[]", "{}", false},
	} {
		if got := Equal(v(c.a), v(c.b)); got != c.eq {
			t.Errorf("%s == %s: %v", c.a, c.b, got)
		}
	}
	for doc, want := range map[string]bool{"0": false, "0.0": false, `""`: false, "[]": false, "{}": false,
		"null": false, "false": false, "1": true, `" "`: true, "[0]": true, "NaN": true} {
		if got := v(doc).Truthy(); got != want {
			t.Errorf("bool(%s) = %v", doc, got)
		}
	}
}

func TestPyIntAndFloat(t *testing.T) {
	for doc, want := range map[string]int64{"7": 7, "7.9": 7, "-7.9": -7, `" 42 "`: 42, `"-3"`: -3, "true": 1} {
		v, _ := Parse(doc)
		if got, err := v.PyInt(); err != nil || got != want {
			t.Errorf("int(%s) = %d, %v; want %d", doc, got, err, want)
		}
	}
	for _, doc := range []string{`"1.5"`, `"x"`, "null", "[]", "NaN", `"1 2"`} {
		v, _ := Parse(doc)
		if _, err := v.PyInt(); err == nil {
			t.Errorf("int(%s) accepted", doc)
		}
	}
	for doc, want := range map[string]float64{"7": 7, `"2.5"`: 2.5, `" -1e3 "`: -1000} {
		v, _ := Parse(doc)
		if got, err := v.PyFloat(); err != nil || got != want {
			t.Errorf("float(%s) = %v, %v; want %v", doc, got, err, want)
		}
	}
}

func TestAdd(t *testing.T) {
	ev := &dho.Event{}
	must := func(ok bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	list, _ := Parse(`["a", 1]`)
	must(Add(ev, "extra.list", list, parsers.Refuse))
	must(Add(ev, "event_description.text", list, parsers.Refuse))
	must(Add(ev, "source.port", Str("80"), parsers.Refuse))
	if ev.EventDescription.Text != "['a', 1]" || len(ev.Source.Port) != 1 || ev.Source.Port[0] != 80 {
		t.Fatalf("got %+v", ev)
	}
	if _, err := Add(ev, "tags", Str("x"), parsers.Refuse); !errors.Is(err, dho.ErrUnknownField) {
		t.Errorf("tags: %v, want ErrUnknownField (no IntelMQ field)", err)
	}
	if ok, err := Add(ev, "tags", Str(""), parsers.Refuse); ok || err != nil {
		t.Errorf("an ignored value for an unknown field: %v %v, want nothing", ok, err)
	}
	if _, err := Add(ev, "extra", Value{Kind: Object}, parsers.Replace); !errors.Is(err, ErrEmptyExtra) {
		t.Errorf("empty extra: %v", err)
	}
	if ok, err := TryAdd(ev, "source.ip", Str("not an address")); ok || err != nil {
		t.Errorf("TryAdd of an invalid value: %v %v", ok, err)
	}
	if _, err := TryAdd(ev, "source.port", Str("81")); !errors.Is(err, parsers.ErrKeyExists) {
		t.Errorf("TryAdd of a set field: %v", err)
	}
}
