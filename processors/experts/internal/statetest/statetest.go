// Package statetest runs a stateful expert in a real topology on an
// in-process Kafka broker (kfake) and registry (srfake), for the tests of
// the experts built on tables: events in, events out, and the late side
// output, across restarts of the node.
package statetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Env is a broker, a registry and the collected output of the runs.
type Env struct {
	t   testing.TB
	Tr  *kafka.Transport
	Reg *schemas.Registry
	// Brokers are the in-process broker's addresses (for clients of a
	// test's own).
	Brokers []string
	// Opts are added to every run (e.g. topology.WithMemoryState()).
	Opts []topology.RunOption

	// SourceOpts are options of the collect node (e.g. topology.KeyBy).
	SourceOpts []topology.NodeOption

	mu      sync.Mutex
	out     []*dho.Event
	digests []*dho.Digest
}

// New starts the broker and registry for t. The state directory is a
// temporary directory shared by the runs of the test.
func New(t testing.TB) *Env {
	t.Helper()
	k := kafkatest.New(t)
	return &Env{t: t, Tr: k.Tr, Reg: k.Reg, Brokers: k.Brokers, Opts: []topology.RunOption{topology.WithStateDir(t.TempDir())}}
}

// Run runs collect → expert → out with the events as input until out holds
// want events in all (over every run so far) and no output came for
// settle, then stops the topology. proc is built anew for every run, as
// a restarted process would.
func (e *Env) Run(proc topology.Processor[dho.Event, dho.Event], in []*dho.Event, want int, settle time.Duration) {
	e.t.Helper()
	run(e, proc, in, want, settle, func(batch []*dho.Event) {
		for _, ev := range batch {
			e.out = append(e.out, ev.Clone())
		}
	}, func() int { return len(e.Out()) })
}

// RunDigests is Run for an expert that emits digests (notify): out
// collects digests, see Digests.
func (e *Env) RunDigests(proc topology.Processor[dho.Event, dho.Digest], in []*dho.Event, want int, settle time.Duration) {
	e.t.Helper()
	run(e, proc, in, want, settle, func(batch []*dho.Digest) {
		e.digests = append(e.digests, batch...)
	}, func() int { return len(e.Digests()) })
}

func run[Out topology.Record](e *Env, proc topology.Processor[dho.Event, Out], in []*dho.Event, want int, settle time.Duration, collect func([]*Out), count func() int) {
	e.t.Helper()
	top := graph(e, proc, in, func(batch []*Out) {
		e.mu.Lock()
		defer e.mu.Unlock()
		collect(batch)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// The run ends only after the expert committed as many records as
	// went in: a run that expects no output (the groups wait for their
	// interval) must not stop before its input was consumed, or, on a
	// loaded machine, the input of an exactly-once run is never committed.
	committed := &committedCount{node: "expert"}
	go func() {
		opts := append([]topology.RunOption{topology.WithTransport(e.Tr), topology.WithRegistry(e.Reg), topology.WithHooks(committed)}, e.Opts...)
		done <- top.Run(ctx, opts...)
	}()
	deadline := time.Now().Add(60 * time.Second)
	last, lastChange := -1, time.Now()
	for {
		n := count()
		if n != last {
			last, lastChange = n, time.Now()
		}
		if n >= want && committed.n.Load() >= int64(len(in)) && time.Since(lastChange) >= settle {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			e.t.Fatalf("timed out: %d records out, want %d; the expert committed %d of the %d records in", n, want, committed.n.Load(), len(in))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		e.t.Fatal(err)
	}
}

// committedCount counts the records one node committed.
type committedCount struct {
	node string
	n    atomic.Int64
}

// OnCommitted implements topology.HookCommitted.
func (c *committedCount) OnCommitted(node string, n int) {
	if node == c.node {
		c.n.Add(int64(n))
	}
}

// graph is the topology the runs run: collect (the events in) → expert →
// out (collect).
func graph[Out topology.Record](e *Env, proc topology.Processor[dho.Event, Out], in []*dho.Event, collect func([]*Out)) *topology.Topology {
	top := topology.New("state")
	src := topology.Source(top, "collect", topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
		for _, ev := range in {
			if err := emit(ev.Clone()); err != nil {
				return err
			}
		}
		return nil
	}), e.SourceOpts...)
	mid := topology.Map(top, "expert", src, proc, topology.TickEvery(50*time.Millisecond))
	topology.Sink(top, "out", mid, topology.OutputFunc[Out](func(_ context.Context, batch []*Out) error {
		collect(batch)
		return nil
	}))
	return top
}

// State returns the live entries of the expert's tables after the runs so
// far, read from their changelogs; proc is an expert of the same kind and
// parameters as the runs'.
func State[Out topology.Record](e *Env, proc topology.Processor[dho.Event, Out]) []topology.StateEntry {
	e.t.Helper()
	var out []topology.StateEntry
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := graph(e, proc, nil, func([]*Out) {}).DumpState(ctx, e.Tr, "expert", func(s topology.StateEntry) error {
		out = append(out, s)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// Digests returns the digests output so far.
func (e *Env) Digests() []*dho.Digest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*dho.Digest(nil), e.digests...)
}

// Out returns the events output so far.
func (e *Env) Out() []*dho.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*dho.Event(nil), e.out...)
}

// Side returns the records on the expert's side output name.
func (e *Env) Side(name string) []*transport.Record {
	e.t.Helper()
	var recs []*transport.Record
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for p := int32(0); p < 3; p++ {
		if _, err := e.Tr.ReadPartition(ctx, "state.expert."+name, p, 0, func(r *transport.Record) error {
			c := *r
			recs = append(recs, &c)
			return nil
		}); err != nil {
			e.t.Fatal(err)
		}
	}
	return recs
}

// Event builds an event from field values, failing the test on a bad one.
func Event(t *testing.T, fields map[string]any) *dho.Event {
	t.Helper()
	e := &dho.Event{}
	for k, v := range fields {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return e
}
