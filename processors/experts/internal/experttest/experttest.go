// Package experttest holds what the tests of the experts share: building a
// node from its registered spec, events from field maps, running one event
// through a processor, comparing events by their fields, and a benchmark
// loop that reports events per second.
package experttest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Processor is an event processor, what every expert is.
type Processor = topology.Processor[dho.Event, dho.Event]

// Build validates params against the registered spec of kind (our name
// or IntelMQ's module) and builds the node, as a topology does.
func Build(kind string, params map[string]any) (Processor, error) {
	r, ok := topology.Lookup(kind)
	if !ok {
		panic("experttest: no node kind " + kind)
	}
	p, err := r.Spec.ValidateIntelMQ(params, nil)
	if err != nil {
		return nil, err
	}
	x, err := r.New(p)
	if err != nil {
		return nil, err
	}
	return x.(Processor), nil
}

// New is Build that fails the test on an error.
func New(t testing.TB, kind string, params map[string]any) Processor {
	t.Helper()
	p, err := Build(kind, params)
	if err != nil {
		t.Fatalf("%s %v: %v", kind, params, err)
	}
	return p
}

// Event builds an event from field values (set with Event.Set).
func Event(t testing.TB, fields map[string]any) *dho.Event {
	t.Helper()
	e := &dho.Event{}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if err := e.Set(k, fields[k]); err != nil {
			t.Fatalf("event field %s: %v", k, err)
		}
	}
	return e
}

// Run passes e through p and returns what p emitted.
func Run(t testing.TB, p Processor, e *dho.Event) ([]*dho.Event, error) {
	t.Helper()
	var out []*dho.Event
	err := p.Process(context.Background(), e, func(e *dho.Event) { out = append(out, e) })
	return out, err
}

// Fields returns every set field of e as text, several values joined by
// ",", for comparisons in tests.
func Fields(e *dho.Event) map[string]string {
	out := map[string]string{}
	e.Range(func(name string, v any) bool {
		out[name] = strings.Join(fieldval.AppendTexts(nil, v), ",")
		return true
	})
	return out
}

// Diff compares the fields of e with want and returns a description of
// the differences, "" when there are none.
func Diff(e *dho.Event, want map[string]string) string {
	got := Fields(e)
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok {
			b.WriteString("\n  missing " + k + " = " + want[k])
		} else if g != want[k] {
			b.WriteString("\n  " + k + " = " + g + ", want " + want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			b.WriteString("\n  unexpected " + k + " = " + got[k])
		}
	}
	return b.String()
}

// Expect runs e through p and checks that it emitted exactly one event
// with the fields want, or nothing when want is nil.
func Expect(t testing.TB, p Processor, e *dho.Event, want map[string]string) {
	t.Helper()
	out, err := Run(t, p, e)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	if want == nil {
		if len(out) != 0 {
			t.Fatalf("emitted %d events, want none: %v", len(out), Fields(out[0]))
		}
		return
	}
	if len(out) != 1 {
		t.Fatalf("emitted %d events, want 1", len(out))
	}
	if d := Diff(out[0], want); d != "" {
		t.Errorf("fields differ:%s", d)
	}
}

// Bench measures p on copies of the events, in turn, and reports events/s
// on top of the usual figures. The copies are made with the timer stopped,
// as the runtime hands a processor an already decoded event.
func Bench(b *testing.B, p Processor, events ...*dho.Event) {
	const chunk = 64
	ctx := context.Background()
	emit := func(*dho.Event) {}
	batch := make([]*dho.Event, chunk)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % chunk
		if j == 0 {
			b.StopTimer()
			for k := range batch {
				batch[k] = events[(i+k)%len(events)].Clone()
			}
			b.StartTimer()
		}
		if err := p.Process(ctx, batch[j], emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// Refusal is a parameter set that building a node must refuse, and text
// the error must hold.
type Refusal struct {
	Params map[string]any
	Want   string
}

// ExpectRefused checks that building kind refuses each parameter set with
// an error holding its text.
func ExpectRefused(t testing.TB, kind string, cases []Refusal) {
	t.Helper()
	for _, c := range cases {
		_, err := Build(kind, c.Params)
		if err == nil || !strings.Contains(err.Error(), c.Want) {
			t.Errorf("%v: error %v, want %q", c.Params, err, c.Want)
		}
	}
}
