package dho

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// hashReference is Hash as first written, over Range: the digest is
// persisted, so Hash must give these bytes whatever it does to be fast.
func hashReference(e *Event, fields []string, include bool) string {
	h := sha256.New()
	var buf []byte
	e.Range(func(name string, v any) bool {
		if matchesAny(name, fields) != include {
			return true
		}
		buf = append(buf[:0], name...)
		buf = append(buf, '=')
		switch x := v.(type) {
		case string:
			buf = append(buf, x...)
		case []byte:
			buf = append(buf, x...)
		case time.Time:
			buf = x.UTC().AppendFormat(buf, time.RFC3339Nano)
		case []string:
			s := slices.Clone(x)
			slices.Sort(s)
			b, _ := json.Marshal(s)
			buf = append(buf, b...)
		case Value:
			buf = x.appendJSON(buf, false)
		default:
			buf = fmt.Append(buf, v)
		}
		buf = append(buf, '\n')
		h.Write(buf)
		return true
	})
	return hex.EncodeToString(h.Sum(nil))
}

func TestHashMatchesDefinition(t *testing.T) {
	events := []*Event{fullEvent(t), {}}
	for _, line := range readLines(t, "intelmq-events.jsonl") {
		var e Event
		if err := e.UnmarshalFlat(line); err != nil {
			t.Fatal(err)
		}
		events = append(events, &e)
	}
	var e Event
	if err := e.UnmarshalFlat(benchEvent); err != nil {
		t.Fatal(err)
	}
	events = append(events, &e)
	// Values encoding/json escapes, unsorted multi-values, extras whose
	// names test the wildcard.
	odd := fullEvent(t)
	odd.Source.IP = []string{"192.0.2.9", "192.0.2.1"}
	if err := odd.Set("extra.html", "<b>&amp;</b> \"q\" \\ é\u2028"); err != nil {
		t.Fatal(err)
	}
	if err := odd.Set("extra.ext", 1.5e300); err != nil {
		t.Fatal(err)
	}
	if err := odd.Set("extra.e", []any{"x", 2, map[string]any{"k": "<v>"}}); err != nil {
		t.Fatal(err)
	}
	odd.Source.FQDN = []string{"b<&>.example", "a.example"}
	events = append(events, odd)
	for _, fields := range [][]string{
		nil,
		{"raw", "time.observation", "id"},
		{"source.ip", "classification.type"},
		{"extra.*"},
		{"extra.html", "source.*"},
		{"ext.*", "extra.e", "extr.*", "e.*", "extra.h.*", "time.*"},
		{"extra.ex.*", "extra.e.*", "s.*", ".*", "*"},
	} {
		for _, include := range []bool{false, true} {
			for i, e := range events {
				if got, want := e.Hash(fields, include), hashReference(e, fields, include); got != want {
					t.Errorf("event %d, fields %q, include %v: Hash %s, by definition %s", i, fields, include, got, want)
				}
			}
		}
	}
}

func TestHashFloatAsFmt(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 100, 2.5, 1e20, 1e21, 1e-4, 1e-5, 123456789, 1.0 / 3, 1e300, 5e-324,
		math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 930, 99.99} {
		if got, want := string(appendHashFloat(nil, f)), fmt.Sprint(f); got != want {
			t.Errorf("%v: %s, fmt %s", f, got, want)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	var e Event
	if err := e.UnmarshalFlat(benchEvent); err != nil {
		b.Fatal(err)
	}
	fields := []string{"raw", "time.observation", "id"}
	b.ReportAllocs()
	for b.Loop() {
		e.Hash(fields, false)
	}
}
