package threshold_test

import (
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/statetest"
	"github.com/intelstream/intelstream/processors/experts/threshold"
	"github.com/intelstream/intelstream/topology"
)

func newExpert(t *testing.T, raw map[string]any) *threshold.Expert {
	t.Helper()
	p, err := threshold.Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	x, err := threshold.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestThreshold: 3 events per source IP and window are needed; the
// third fires once, more do not, and the count goes on across a restart.
func TestThreshold(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []topology.RunOption
	}{{"disk", nil}, {"exactly-once", []topology.RunOption{topology.ExactlyOnce()}}} {
		t.Run(tc.name, func(t *testing.T) {
			env := statetest.New(t)
			env.Opts = append(env.Opts, tc.opts...)
			params := map[string]any{"fields": "source.ip", "threshold": 3, "timespan": "1 hour", "wall_clock": false}
			mk := func(ip string, min int) *dho.Event {
				return statetest.Event(t, map[string]any{"source.ip": ip, "time.source": time.Date(2026, 11, 24, 10, min, 0, 0, time.UTC)})
			}
			var first, second []*dho.Event
			for i := range 2 {
				first = append(first, mk("192.0.2.1", i), mk("192.0.2.2", i))
			}
			for i := 2; i < 6; i++ {
				second = append(second, mk("192.0.2.1", i))
			}
			second = append(second, mk("192.0.2.2", 70)) // next window: 1 of 3
			env.Run(newExpert(t, params), first, 0, 300*time.Millisecond)
			env.Run(newExpert(t, params), second, 1, 500*time.Millisecond)
			out := env.Out()
			if len(out) != 1 {
				t.Fatalf("%d events, want 1", len(out))
			}
			e := out[0]
			count, _ := e.Extra["count"].Int()
			start, _ := e.Extra["window_start"].Str()
			if e.Source.IP[0] != "192.0.2.1" || count != 3 || start != "2026-11-24T10:00:00Z" || !e.Time.Source.Equal(time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC)) {
				t.Fatalf("event %s", e.MarshalFlat(dho.FlatOptions{}))
			}
		})
	}
}

func TestBadParameters(t *testing.T) {
	for _, raw := range []map[string]any{
		{"threshold": 3},
		{"fields": "source.ip"},
		{"fields": "source.ip", "threshold": -1},
		{"fields": "source.ip", "threshold": 3, "lateness": "-1h"},
	} {
		p, err := threshold.Spec.Validate(raw)
		if err == nil {
			_, err = threshold.New(p)
		}
		if err == nil {
			t.Errorf("%v: no error", raw)
		}
	}
}
