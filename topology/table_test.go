package topology_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// ipEvents is a collector that emits one event for each of ips source IPs,
// rounds times over.
func ipEvents(ips, rounds int) topology.Collector[dho.Event] {
	return topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
		for range rounds {
			for i := range ips {
				e := &dho.Event{}
				if err := e.Set("source.ip", fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)); err != nil {
					return err
				}
				if err := emit(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// counter counts events per source IP in a table and writes the running
// count into extra.count.
type counter struct {
	counts *topology.Table[string, int64]
}

func newCounter() *counter {
	return &counter{counts: topology.NewTable("counts", topology.StringCodec{}, topology.JSONCodec[int64]{})}
}

func (c *counter) Tables() []topology.TableRef { return []topology.TableRef{c.counts} }

func (c *counter) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	ip := e.Source.IP[0]
	n, _, err := c.counts.Get(ctx, ip)
	if err != nil {
		return err
	}
	n++
	if err := c.counts.Set(ctx, ip, n); err != nil {
		return err
	}
	if err := e.Set("extra.count", n); err != nil {
		return err
	}
	emit(e)
	return nil
}

// countTopology is collect → count → out.
func countTopology(ips, rounds int, out *memOutput) *topology.Topology {
	top := topology.New("tables")
	events := topology.Source(top, "collect", ipEvents(ips, rounds))
	counted := topology.Map(top, "count", events, topology.Processor[dho.Event, dho.Event](newCounter()))
	topology.Sink(top, "out", counted, out)
	return top
}

// TestTableSurvivesRestart runs a counting node twice against the same
// broker: the second run goes on counting where the first stopped, whether
// its local store was kept, deleted, or held in memory.
func TestTableSurvivesRestart(t *testing.T) {
	for _, tc := range []struct {
		name        string
		memory      bool
		deleteStore bool
		exactlyOnce bool
	}{
		{name: "disk-kept"},
		{name: "disk-deleted", deleteStore: true},
		{name: "memory", memory: true},
		{name: "disk-kept-exactly-once", exactlyOnce: true},
		{name: "memory-exactly-once", memory: true, exactlyOnce: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			dir := t.TempDir()
			const ips = 300
			out := &memOutput{}
			opts := []topology.RunOption{topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithStateDir(dir)}
			if tc.memory {
				opts = append(opts, topology.WithMemoryState())
			}
			if tc.exactlyOnce {
				opts = append(opts, topology.ExactlyOnce())
			}
			run := func(rounds, want int) {
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- countTopology(ips, rounds, out).Run(ctx, opts...) }()
				waitFor(t, fmt.Sprintf("%d events", want), func() bool {
					out.mu.Lock()
					defer out.mu.Unlock()
					return len(out.events) >= want
				})
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			run(2, 2*ips)
			if !tc.memory {
				if _, err := os.Stat(filepath.Join(dir, "tables", "count")); err != nil {
					t.Fatalf("no local store on disk: %v", err)
				}
			}
			if tc.deleteStore {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			run(3, 5*ips)
			out.mu.Lock()
			defer out.mu.Unlock()
			seen := map[string]map[int64]int{}
			for _, ev := range out.events {
				n, _ := ev.Extra["count"].Int()
				ip := ev.Source.IP[0]
				if seen[ip] == nil {
					seen[ip] = map[int64]int{}
				}
				seen[ip][n]++
			}
			if len(seen) != ips {
				t.Fatalf("%d IPs, want %d", len(seen), ips)
			}
			for ip, counts := range seen {
				for n := int64(1); n <= 5; n++ {
					if counts[n] != 1 {
						t.Fatalf("%s: count %d seen %d times (%v)", ip, n, counts[n], counts)
					}
				}
			}
		})
	}
}

func TestDumpState(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	const ips = 40
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- countTopology(ips, 3, out).Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithMemoryState())
	}()
	waitFor(t, "events", func() bool {
		out.mu.Lock()
		defer out.mu.Unlock()
		return len(out.events) >= 3*ips
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var entries []topology.StateEntry
	err := countTopology(ips, 0, out).DumpState(context.Background(), e.tr, "count", func(se topology.StateEntry) error {
		entries = append(entries, se)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != ips {
		t.Fatalf("%d entries, want %d", len(entries), ips)
	}
	for _, se := range entries {
		if se.Table != "counts" || se.Value != int64(3) {
			t.Fatalf("entry %+v", se)
		}
	}
	if err := countTopology(ips, 0, out).DumpState(context.Background(), e.tr, "out", func(topology.StateEntry) error { return nil }); err == nil {
		t.Error("dump of a node without tables: no error")
	}
}

func TestTablesOnlyOnMapNodes(t *testing.T) {
	top := topology.New("bad")
	src := topology.Source(top, "collect", ipEvents(1, 1), topology.Tables(newCounter().counts))
	topology.Sink(top, "out", src, &memOutput{})
	if err := top.Validate(); err == nil {
		t.Fatal("a source with a table validated")
	}
	top = topology.New("bad2")
	c := newCounter()
	src = topology.Source(top, "collect", ipEvents(1, 1))
	m := topology.Map(top, "count", src, topology.Processor[dho.Event, dho.Event](c), topology.Tables(c.counts))
	topology.Sink(top, "out", m, &memOutput{})
	if err := top.Validate(); err == nil {
		t.Fatal("two tables of one name validated")
	}
}
