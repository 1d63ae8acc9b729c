package aggregate_test

import (
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/aggregate"
	"github.com/intelstream/intelstream/processors/experts/internal/statetest"
	"github.com/intelstream/intelstream/topology"
)

func newExpert(t *testing.T, raw map[string]any) *aggregate.Expert {
	t.Helper()
	p, err := aggregate.Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	x, err := aggregate.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func at(min int) time.Time { return time.Date(2026, 11, 24, 10, min, 0, 0, time.UTC) }

func ev(t *testing.T, typ string, min int) *dho.Event {
	return statetest.Event(t, map[string]any{"classification.type": typ, "source.ip": "192.0.2.1", "time.source": at(min)})
}

// TestAggregate groups by type in 10-minute windows of event time: the
// input comes out of order, one event arrives after its window closed
// (late), and a later event moves the watermark so the windows close.
func TestAggregate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []topology.RunOption
	}{{"disk", nil}, {"memory", []topology.RunOption{topology.WithMemoryState()}}, {"exactly-once", []topology.RunOption{topology.ExactlyOnce()}}} {
		t.Run(tc.name, func(t *testing.T) {
			env := statetest.New(t)
			env.Opts = append(env.Opts, tc.opts...)
			params := map[string]any{"fields": "classification.type", "threshold": 2, "timespan": "10 minutes", "lateness": "5m", "wall_clock": false}
			in := []*dho.Event{
				ev(t, "scanner", 3), ev(t, "scanner", 1), ev(t, "spam", 2), // spam stays below the threshold
				ev(t, "scanner", 8), ev(t, "scanner", 12), // 12 opens the next window
				ev(t, "scanner", 9),  // out of order, in time (watermark 12-5=7 < 10)
				ev(t, "scanner", 30), // watermark 25: windows [0,10) and [10,20) close
				ev(t, "scanner", 4),  // late: [0,10) closed
			}
			// First run: everything but the late event and the last; the
			// restart must keep the open windows.
			env.Run(newExpert(t, params), in[:6], 0, 300*time.Millisecond)
			env.Run(newExpert(t, params), in[6:], 1, 500*time.Millisecond)
			out := env.Out()
			if len(out) != 1 {
				for _, e := range out {
					t.Log(string(e.MarshalFlat(dho.FlatOptions{})))
				}
				t.Fatalf("%d summaries, want 1 (scanner in [10:00,10:10); [10:10,10:20) has 1 < threshold)", len(out))
			}
			s := out[0]
			count, _ := s.Extra["count"].Int()
			end, _ := s.Extra["time_end"].Str()
			if count != 4 || !s.Time.Source.Equal(at(1)) || end != at(9).Format(time.RFC3339Nano) || s.Classification.Type != "scanner" {
				t.Fatalf("summary %s", s.MarshalFlat(dho.FlatOptions{}))
			}
			late := env.Side("late")
			if len(late) != 1 {
				t.Fatalf("%d late records, want 1", len(late))
			}
			if r, _ := late[0].Header(topology.HeaderDLQReason); len(r) == 0 {
				t.Fatal("late record without a reason")
			}
		})
	}
}

func TestBadParameters(t *testing.T) {
	for _, raw := range []map[string]any{
		{"fields": "no.such.field"},
		{"fields": ""},
		{"timespan": "soon"},
		{"timespan": "10m", "advance": "20m"},
		{"threshold": 0},
	} {
		p, err := aggregate.Spec.Validate(raw)
		if err == nil {
			_, err = aggregate.New(p)
		}
		if err == nil {
			t.Errorf("%v: no error", raw)
		}
	}
}
