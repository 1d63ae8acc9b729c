package dho

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestFlatGoldenByteForByte decodes fixtures written exactly as IntelMQ (Python's
// json.dumps with sort_keys) writes them and checks that encoding gives the
// same bytes.
func TestFlatGoldenByteForByte(t *testing.T) {
	for i, line := range readLines(t, "intelmq-events.jsonl") {
		var e Event
		if err := e.UnmarshalFlat(line); err != nil {
			t.Fatalf("event line %d: %v", i+1, err)
		}
		if got := string(e.MarshalFlat(FlatOptions{})); got != line {
			t.Errorf("event line %d:\n got %s\nwant %s", i+1, got, line)
		}
		// The DHO form decodes to the same event.
		var d Event
		if err := d.UnmarshalFlat(string(e.MarshalFlat(FlatOptions{Mode: FlatDHO}))); err != nil {
			t.Fatalf("event line %d in DHO form: %v", i+1, err)
		}
		if !reflect.DeepEqual(d, e) {
			t.Errorf("event line %d: DHO form decodes differently:\n%+v\n%+v", i+1, d, e)
		}
	}
	for i, line := range readLines(t, "intelmq-reports.jsonl") {
		var r Report
		if err := r.UnmarshalFlat(line); err != nil {
			t.Fatalf("report line %d: %v", i+1, err)
		}
		if got := string(r.MarshalFlat(FlatOptions{})); got != line {
			t.Errorf("report line %d:\n got %s\nwant %s", i+1, got, line)
		}
	}
}

// fullEvent sets every field, multi-valued ones with three values.
func fullEvent(t testing.TB) *Event {
	t.Helper()
	var e Event
	for _, f := range Fields() {
		if f.Type == TypeJSONDict {
			continue
		}
		in, _ := sampleFor(f)
		if err := e.Set(f.Name, in); err != nil {
			t.Fatalf("Set(%s): %v", f.Name, err)
		}
		if !f.Multi {
			continue
		}
		more := map[Type][]string{
			TypeIPAddress:       {"192.0.2.1", "192.0.2.2"},
			TypeURL:             {"https://example.net/a", "ftp://example.org/b"},
			TypeFQDN:            {"a.example.org", "b.example.org"},
			TypeInteger:         {"80", "8080"},
			TypeLowercaseString: {"second", "third"},
			TypeString:          {"Second", "Third"},
		}[f.Type]
		if len(more) == 0 {
			t.Fatalf("no further sample values for %s", f.Type)
		}
		if err := e.Append(f.Name, more); err != nil {
			t.Fatalf("Append(%s): %v", f.Name, err)
		}
	}
	for k, v := range map[string]any{
		"s": "text", "i": int64(-7), "f": 2.5, "b": false, "n": nil,
		"l": []any{"a", int64(1), 1.5, true, nil, []any{}, map[string]any{}},
		"o": map[string]any{"x": map[string]any{"y": []any{"z"}}},
	} {
		if err := e.Set("extra."+k, v); err != nil {
			t.Fatal(err)
		}
	}
	return &e
}

func TestFlatRoundTripEveryField(t *testing.T) {
	e := fullEvent(t)
	for _, mode := range []FlatMode{FlatIntelMQ, FlatDHO} {
		for _, ascii := range []bool{false, true} {
			opts := FlatOptions{Mode: mode, ASCII: ascii}
			b := e.MarshalFlat(opts)
			var d Event
			if err := d.UnmarshalFlat(string(b)); err != nil {
				t.Fatalf("mode %d: decode %s: %v", mode, b, err)
			}
			if !reflect.DeepEqual(&d, e) {
				t.Fatalf("mode %d ascii %v: round trip differs:\n got %+v\nwant %+v", mode, ascii, d, *e)
			}
			if again := d.MarshalFlat(opts); !bytes.Equal(again, b) {
				t.Fatalf("mode %d: re-encoding differs:\n%s\n%s", mode, again, b)
			}
		}
	}
}

func TestFlatIntelMQModeKeys(t *testing.T) {
	e := fullEvent(t)
	var m map[string]any
	if err := json.Unmarshal(e.MarshalFlat(FlatOptions{}), &m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		if k == "__type" || strings.HasPrefix(k, "extra.") {
			continue
		}
		f, ok := LookupField(k)
		if !ok || !f.IntelMQ {
			t.Errorf("IntelMQ form has key %s that IntelMQ does not know", k)
		}
		if _, isList := m[k].([]any); isList {
			t.Errorf("IntelMQ form has a list under %s", k)
		}
	}
	if got := m["extra.dho.source.ip"]; !reflect.DeepEqual(got, []any{"192.0.2.1", "192.0.2.2"}) {
		t.Errorf("extra.dho.source.ip = %v", got)
	}
	if got := m["source.ip"]; got != "2001:db8::1" {
		t.Errorf("source.ip = %v", got)
	}
}

func TestFlatDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, field, msg string
	}{
		{"unknown key", `{"source.ipp": "1.2.3.4"}`, "source.ipp", "unknown field"},
		{"bad ip", `{"source.ip": "300.1.2.3"}`, "source.ip", "300.1.2.3"},
		{"bad ip in list", `{"source.ip": ["192.0.2.1", "x"]}`, "source.ip", `"x"`},
		{"list for single", `{"source.asn": [1, 2]}`, "source.asn", "one value"},
		{"wrong type", `{"__type": "Report", "feed.name": "x"}`, "__type", "Report"},
		{"bad extra key", `{"extra.Bad-Key": 1}`, "extra.Bad-Key", "Bad-Key"},
		{"bad time", `{"time.source": "yesterday-ish"}`, "time.source", "yesterday-ish"},
		{"bad base64", `{"raw": "!!!"}`, "raw", ""},
		{"object for field", `{"feed.name": {"a": 1}}`, "", "object"},
		{"port range", `{"source.port": 70000}`, "source.port", "70000"},
		{"bool for int", `{"source.port": true}`, "source.port", "boolean"},
		{"taxonomy", `{"classification.type": "no-such-type"}`, "classification.type", "no-such-type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e Event
			err := e.UnmarshalFlat(tc.in)
			if err == nil {
				t.Fatalf("UnmarshalFlat(%s) accepted it: %+v", tc.in, e)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
			var fe *FieldError
			if tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
				t.Errorf("error %v: want a FieldError for %s", err, tc.field)
			}
		})
	}
}

func TestFlatSyntaxErrors(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"a"}`, `{"feed.name": "x"`, `{"feed.name": "x"} trailing`, `{"feed.name": 'x'}`} {
		var e Event
		if err := e.UnmarshalFlat(in); err == nil {
			t.Errorf("UnmarshalFlat(%q) accepted it", in)
		}
	}
}

func TestFlatDecodeSanitizes(t *testing.T) {
	var e Event
	in := `{"source.ip": "2001:0DB8::0001", "source.asn": "AS64496", "source.fqdn": "WWW.Example.COM.", ` +
		`"time.source": "2026-11-20 10:30:00+02:00", "source.url": "hxxp://example.com/x", "tlp": "amber", ` +
		`"extra": "{\"legacy\": 1}"}`
	if err := e.UnmarshalFlat(in); err != nil {
		t.Fatal(err)
	}
	want := `{"__type": "Event", "extra.legacy": 1, "source.asn": 64496, "source.fqdn": "www.example.com", ` +
		`"source.ip": "2001:db8::1", "source.url": "http://example.com/x", "time.source": "2026-11-20T08:30:00+00:00", "tlp": "AMBER"}`
	if got := string(e.MarshalFlat(FlatOptions{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFlatMultiValueRule(t *testing.T) {
	var e Event
	if err := e.Set("source.ip", []string{"192.0.2.1", "192.0.2.2", "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Set("tags", "one"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opts FlatOptions
		want string
	}{
		{FlatOptions{OmitType: true}, `{"extra.dho.source.ip": ["192.0.2.2"], "extra.dho.tags": "one", "source.ip": "192.0.2.1"}`},
		{FlatOptions{OmitType: true, Mode: FlatDHO}, `{"source.ip": ["192.0.2.1", "192.0.2.2"], "tags": "one"}`},
	}
	for _, tc := range tests {
		if got := string(e.MarshalFlat(tc.opts)); got != tc.want {
			t.Errorf("mode %d:\n got %s\nwant %s", tc.opts.Mode, got, tc.want)
		}
	}
}

func TestReservedExtraNames(t *testing.T) {
	var e Event
	if err := e.Set("extra.dho.source.ip", "x"); err == nil {
		t.Error("extra.dho.source.ip accepted as an extra value")
	}
	if err := e.Set("extra.dho.something_else", "x"); err != nil {
		t.Errorf("extra.dho.something_else refused: %v", err)
	}
}

func TestTimesKeepMicroseconds(t *testing.T) {
	var e Event
	ts := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	if err := e.Set("time.source", ts); err != nil {
		t.Fatal(err)
	}
	got := string(e.MarshalFlat(FlatOptions{OmitType: true}))
	if want := `{"time.source": "2026-01-02T02:04:05.123456+00:00"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestASCIIMode(t *testing.T) {
	var e Event
	if err := e.Set("comment", "Grüße 🙂"); err != nil {
		t.Fatal(err)
	}
	got := string(e.MarshalFlat(FlatOptions{ASCII: true, OmitType: true}))
	if want := `{"comment": "Gr\u00fc\u00dfe \ud83d\ude42"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestValidate(t *testing.T) {
	e := fullEvent(t)
	if err := e.Validate(); err != nil {
		t.Fatalf("a sanitized event does not validate: %v", err)
	}
	e.Source.IP = append(e.Source.IP, "2001:DB8::5")
	e.Destination.IP = append(e.Destination.IP, e.Destination.IP[0])
	e.Source.Port = append(e.Source.Port, 70000)
	e.Classification.Type = "Scanner"
	ts := time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)
	e.Time.Source = &ts
	e.Extra["Bad"] = String("x")
	err := e.Validate()
	for _, want := range []string{"2001:DB8::5", "is repeated", "70000", "Scanner", "microsecond", "Bad"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
}

func TestSetRefusesUnwritableValues(t *testing.T) {
	var e Event
	for _, y := range []int{0, -1, 10000} {
		if err := e.Set("time.source", time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
			t.Errorf("year %d accepted", y)
		}
	}
	if err := e.Set("raw", []byte{}); err != nil || e.Raw != nil {
		t.Errorf("empty raw: %v, %v", err, e.Raw)
	}
	if err := e.UnmarshalFlat(`{"raw": ""}`); err != nil || e.Raw != nil {
		t.Errorf("flat empty raw: %v, %v", err, e.Raw)
	}
}

func TestSetTextAndRefs(t *testing.T) {
	var a, b Event
	for _, f := range Fields() {
		if f.Type == TypeJSONDict {
			continue
		}
		in, _ := sampleFor(f)
		if err := a.Set(f.Name, in); err != nil {
			t.Fatal(err)
		}
		ref, ok := Ref(f.Name)
		if !ok || ref.Name() != f.Name {
			t.Fatalf("Ref(%s)", f.Name)
		}
		if err := ref.SetText(&b, in); err != nil {
			t.Fatalf("SetText(%s, %q): %v", f.Name, in, err)
		}
		if !ref.Has(&b) || !b.Has(f.Name) {
			t.Fatalf("%s not set", f.Name)
		}
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("Set and SetText differ:\n%+v\n%+v", a, b)
	}
	ref, _ := Ref("source.port")
	for _, p := range []string{"80", "443", "80"} {
		if err := ref.AppendText(&b, p); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.Source.Port; len(got) != 2 || got[0] != 443 || got[1] != 80 {
		t.Errorf("ports %v", got)
	}
	if err := b.SetText("source.ip", "300.1.2.3"); err == nil {
		t.Error("bad IP accepted")
	}
	if err := b.SetText("extra.note", "x"); err != nil || !b.Has("extra.note") {
		t.Errorf("extra via SetText: %v", err)
	}
	if testing.AllocsPerRun(100, func() { _ = b.Has("source.ip") }) != 0 {
		t.Error("Has allocates")
	}
}

func TestClone(t *testing.T) {
	e := fullEvent(t)
	before := e.MarshalFlat(FlatOptions{Mode: FlatDHO})
	c := e.Clone()
	if !reflect.DeepEqual(c, e) {
		t.Fatal("clone differs")
	}
	// Change everything in the clone; the original stays as it was.
	c.Source.IP[0] = "192.0.2.99"
	c.Source.Port[0] = 1
	*c.Source.ASN = 1
	*c.Time.Source = c.Time.Source.Add(time.Hour)
	c.Raw[0] = 'X'
	c.Extra["s"] = String("changed")
	l, _ := c.Extra["l"].List()
	l[0] = String("changed")
	if after := e.MarshalFlat(FlatOptions{Mode: FlatDHO}); !bytes.Equal(before, after) {
		t.Fatalf("changing the clone changed the original:\n%s\n%s", before, after)
	}
	r := &Report{Raw: []byte("x")}
	if rc := r.Clone(); &rc.Raw[0] == &r.Raw[0] {
		t.Error("report clone shares raw")
	}
}
