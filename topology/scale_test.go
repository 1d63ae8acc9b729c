package topology_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// memberCounter counts, per partition of its input, the members of the
// node's group that got records of it (by the goroutine's context: each
// member calls Process with a context of its own).
type memberCounter struct {
	mu      sync.Mutex
	members map[context.Context]bool
}

func (m *memberCounter) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	m.mu.Lock()
	if m.members == nil {
		m.members = map[context.Context]bool{}
	}
	m.members[ctx] = true
	m.mu.Unlock()
	out := *e
	emit(&out)
	return nil
}

func (m *memberCounter) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.members)
}

// TestControllerScale scales a node to 3 members while records flow and
// back to 1: no record is lost (and none repeated with exactly once),
// three members took records, the status shows the count, a restart keeps
// it, and counts the node cannot have are refused.
func TestControllerScale(t *testing.T) {
	for _, eos := range []bool{false, true} {
		name := "at-least-once"
		if eos {
			name = "exactly-once"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			feed := make(feeder)
			out := &memOutput{}
			mc := &memberCounter{}
			top := topology.New("scale")
			events := topology.Source(top, "feed", topology.Collector[dho.Event](feed))
			passed := topology.Map(top, "work", events, topology.Processor[dho.Event, dho.Event](mc))
			counted := topology.Map(top, "count", passed, topology.Processor[dho.Event, dho.Event](newCounter()))
			topology.Sink(top, "out", counted, out)

			ctl := topology.NewController()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			opts := []topology.RunOption{topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithController(ctl), topology.WithStateDir(t.TempDir())}
			if eos {
				opts = append(opts, topology.ExactlyOnce())
			}
			go func() { done <- top.Run(ctx, opts...) }()
			waitFor(t, "ready", ctl.Ready)

			// Refused counts, with the reason.
			for _, tc := range []struct {
				node string
				n    int
				want string
			}{
				{"work", 0, "at least 1"},
				{"work", 4, "3 partitions"},
				{"feed", 2, "source"},
				{"count", 2, "LevelDB"},
				{"nope", 1, "unknown node"},
			} {
				err := ctl.Scale(ctx, tc.node, tc.n)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Scale(%s, %d): %v, want an error containing %q", tc.node, tc.n, err, tc.want)
				}
				if tc.node != "nope" && !errors.Is(err, topology.ErrBadWorkers) {
					t.Errorf("Scale(%s, %d): %v is not ErrBadWorkers", tc.node, tc.n, err)
				}
			}

			// Records flow until three members took some (and a while).
			stop := make(chan struct{})
			sent := make(chan int)
			go func() {
				n := 0
				for {
					select {
					case <-stop:
						sent <- n
						return
					default:
					}
					feed.send(t, n, 10)
					n += 10
					time.Sleep(10 * time.Millisecond)
				}
			}()
			waitFor(t, "records flowing", func() bool { return out.count() >= 60 })
			if err := ctl.Scale(ctx, "work", 3); err != nil {
				t.Fatal(err)
			}
			if st, _ := ctl.Status("work"); st.Workers != 3 || st.State != topology.StateRunning {
				t.Fatalf("status after Scale(3): %+v", st)
			}
			waitFor(t, "three members at work", func() bool { return mc.count() >= 3 })
			// Paused and resumed with all its members.
			if err := ctl.Pause("work"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			if err := ctl.Resume("work"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			close(stop)
			total := <-sent
			waitFor(t, "every record", func() bool { return out.count() >= total })
			if err := ctl.Scale(ctx, "work", 1); err != nil {
				t.Fatal(err)
			}
			if st, _ := ctl.Status("work"); st.Workers != 1 || st.State != topology.StateRunning {
				t.Fatalf("status after Scale(1): %+v", st)
			}
			feed.send(t, total, 20)
			waitFor(t, "records after scaling down", func() bool { return out.count() >= total+20 })
			// A stopped node keeps its count and runs with it when started.
			if err := ctl.Scale(ctx, "work", 2); err != nil {
				t.Fatal(err)
			}
			if err := ctl.Restart(ctx, "work"); err != nil {
				t.Fatal(err)
			}
			if st, _ := ctl.Status("work"); st.Workers != 2 {
				t.Fatalf("status after Restart: %+v", st)
			}
			feed.send(t, total+20, 20)
			waitFor(t, "records after the restart", func() bool { return out.count() >= total+40 })
			time.Sleep(200 * time.Millisecond)
			// None lost; exactly once, none repeated (at least once, a
			// rebalance may repeat a batch whose partition moved before
			// its commit).
			out.mu.Lock()
			if len(out.ips) != total+40 {
				t.Errorf("%d distinct events, want %d", len(out.ips), total+40)
			}
			if eos && len(out.events) != total+40 {
				t.Errorf("%d events, want %d", len(out.events), total+40)
			}
			t.Logf("%d records, %d repeated", total+40, len(out.events)-len(out.ips))
			out.mu.Unlock()
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
