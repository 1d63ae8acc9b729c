package sieve_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/processors/experts/sieve"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport/kafka"
)

type collect struct {
	mu    sync.Mutex
	names map[string]int
}

func (c *collect) Write(_ context.Context, batch []*dho.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range batch {
		c.names[e.Feed.Name]++
	}
	return nil
}

func (c *collect) count() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.names {
		out[k] = v
	}
	return out
}

// TestBranchByPath runs a sieve node and a Branch on the in-process broker:
// each path reaches its own output, dropped events none, the rest the
// default one.
func TestBranchByPath(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cl, err := embedded.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tr, err := kafka.New(kafka.Brokers(cl.Brokers()...))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	reg, err := schemas.NewRegistry([]string{cl.RegistryURL()})
	if err != nil {
		t.Fatal(err)
	}

	x, ok := topology.Lookup(sieve.Name)
	if !ok {
		t.Fatal("sieve not registered")
	}
	params, perr := x.Spec.Validate(map[string]any{"rules": `
		if feed.name == 'drop' { drop }
		if feed.name == 'abuse' { path 'abuse' }
		elif feed.name == 'both' { path ['abuse', 'other'] }`})
	if perr != nil {
		t.Fatal(perr)
	}
	node, perr := x.New(params)
	if perr != nil {
		t.Fatal(perr)
	}

	top := topology.New("sieve-paths")
	in := topology.Source(top, "events", topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
		for _, name := range []string{"drop", "abuse", "both", "plain", "abuse"} {
			e := &dho.Event{}
			if err := e.Set("feed.name", name); err != nil {
				return err
			}
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	}))
	sieved := topology.Map(top, "sieve", in, node.(topology.Processor[dho.Event, dho.Event]))
	outs := topology.Branch(top, "by-path", sieved, []topology.Route[dho.Event]{sieve.Route("abuse"), sieve.Route("other")})
	sinks := map[string]*collect{"abuse": {names: map[string]int{}}, "other": {names: map[string]int{}}, "default": {names: map[string]int{}}}
	topology.Sink(top, "abuse-out", outs[0], sinks["abuse"])
	topology.Sink(top, "other-out", outs[1], sinks["other"])
	topology.Sink(top, "default-out", outs[2], sinks["default"])

	done := make(chan error, 1)
	go func() { done <- top.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg)) }()
	want := map[string]map[string]int{
		"abuse":   {"abuse": 2, "both": 1},
		"other":   {"both": 1},
		"default": {"plain": 1},
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok := true
		for name, w := range want {
			got := sinks[name].count()
			if len(got) != len(w) {
				ok = false
			}
			for k, n := range w {
				if got[k] != n {
					ok = false
				}
			}
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: abuse %v, other %v, default %v", sinks["abuse"].count(), sinks["other"].count(), sinks["default"].count())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
