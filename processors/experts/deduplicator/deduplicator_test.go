package deduplicator_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/processors/experts/internal/statetest"
	"github.com/intelstream/intelstream/topology"
)

func newExpert(t *testing.T, raw map[string]any) *deduplicator.Expert {
	t.Helper()
	p, err := deduplicator.Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	x, err := deduplicator.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// events returns n distinct events, each twice, the copies differing only
// in time.observation (which the default blacklist ignores).
func events(t *testing.T, n int) []*dho.Event {
	var out []*dho.Event
	for round := range 2 {
		for i := range n {
			out = append(out, statetest.Event(t, map[string]any{
				"source.ip":           fmt.Sprintf("192.0.2.%d", i+1),
				"classification.type": "scanner",
				"time.observation":    time.Date(2026, 11, 24, 10, round, 0, 0, time.UTC),
			}))
		}
	}
	return out
}

func TestDeduplicatesAcrossRestarts(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []topology.RunOption
	}{
		{"disk", nil},
		{"memory", []topology.RunOption{topology.WithMemoryState()}},
		{"exactly-once", []topology.RunOption{topology.ExactlyOnce()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := statetest.New(t)
			env.Opts = append(env.Opts, tc.opts...)
			in := events(t, 50)
			env.Run(newExpert(t, nil), in, 50, 300*time.Millisecond)
			// The same events again, after a restart: all seen before.
			env.Run(newExpert(t, nil), in, 50, time.Second)
			out := env.Out()
			if len(out) != 50 {
				t.Fatalf("%d events out, want 50", len(out))
			}
			ips := map[string]bool{}
			for _, e := range out {
				ips[e.Source.IP[0]] = true
			}
			if len(ips) != 50 {
				t.Fatalf("%d distinct events, want 50", len(ips))
			}
		})
	}
}

func TestTimeToLive(t *testing.T) {
	env := statetest.New(t)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	in := events(t, 10)[:10]
	x := newExpert(t, map[string]any{"redis_cache_ttl": 3600})
	x.SetClock(func() time.Time { return now })
	env.Run(x, in, 10, 200*time.Millisecond)
	// Within the hour: dropped.
	x = newExpert(t, map[string]any{"redis_cache_ttl": 3600})
	x.SetClock(func() time.Time { return now.Add(59 * time.Minute) })
	env.Run(x, in, 10, 500*time.Millisecond)
	// After it: passed on again.
	x = newExpert(t, map[string]any{"redis_cache_ttl": 3600})
	x.SetClock(func() time.Time { return now.Add(61 * time.Minute) })
	env.Run(x, in, 20, 200*time.Millisecond)
	if n := len(env.Out()); n != 20 {
		t.Fatalf("%d events out, want 20", n)
	}
	// Past the TTL of every hash, a tick forgets them: no entry and no
	// expiry index entry stays in the table.
	x = newExpert(t, map[string]any{"redis_cache_ttl": 3600})
	x.SetClock(func() time.Time { return now.Add(3 * time.Hour) })
	if n := len(statetest.State(env, x)); n != 20 {
		t.Fatalf("%d table entries before the purge, want 20 (10 hashes, 10 expiry entries)", n)
	}
	env.Run(x, nil, 20, 500*time.Millisecond)
	if left := statetest.State(env, x); len(left) != 0 {
		t.Fatalf("%d table entries left after the TTL, e.g. %v", len(left), left[0])
	}
}

func TestWhitelist(t *testing.T) {
	env := statetest.New(t)
	in := []*dho.Event{
		statetest.Event(t, map[string]any{"source.ip": "192.0.2.1", "classification.type": "scanner"}),
		statetest.Event(t, map[string]any{"source.ip": "192.0.2.1", "classification.type": "infected-system"}),
		statetest.Event(t, map[string]any{"source.ip": "192.0.2.2", "classification.type": "scanner"}),
	}
	env.Run(newExpert(t, map[string]any{"filter_type": "whitelist", "filter_keys": "source.ip"}), in, 2, 500*time.Millisecond)
	if n := len(env.Out()); n != 2 {
		t.Fatalf("%d events out, want 2 (one per source.ip)", n)
	}
}

func TestBadParameters(t *testing.T) {
	for _, raw := range []map[string]any{
		{"filter_type": "greylist"},
		{"filter_type": "whitelist", "filter_keys": ""},
		{"redis_cache_ttl": -5},
		{"unknown": 1},
	} {
		p, err := deduplicator.Spec.Validate(raw)
		if err == nil {
			_, err = deduplicator.New(p)
		}
		var pe *topology.ParamError
		if !errors.As(err, &pe) {
			t.Errorf("%v: got %v, want a ParamError", raw, err)
		}
	}
}
