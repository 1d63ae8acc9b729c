package topology_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/topology"
)

// TestThenFusesNodes runs parse → taxonomy → deduplicator as one node: one
// hop, the deduplicator's table kept, every distinct event out once.
func TestThenFusesNodes(t *testing.T) {
	e := newEnv(t)
	const n = 300
	p, err := deduplicator.Spec.Validate(map[string]any{"filter_type": "whitelist", "filter_keys": "source.ip"})
	if err != nil {
		t.Fatal(err)
	}
	dd, err := deduplicator.New(p)
	if err != nil {
		t.Fatal(err)
	}
	fused := topology.Then(topology.Then(topology.Processor[dho.Report, dho.Event](lineParser), topology.Processor[dho.Event, dho.Event](taxonomy.New())),
		topology.Processor[dho.Event, dho.Event](dd))
	out := &memOutput{}
	top := topology.New("fused")
	// Every line twice: the second report is all duplicates.
	reports := topology.Source(top, "collect", topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		for range 2 {
			if err := lines(n).Run(ctx, emit); err != nil {
				return err
			}
		}
		return nil
	}))
	events := topology.Map(top, "parse-classify-dedup", reports, fused)
	topology.Sink(top, "out", events, out, topology.Requires("classification.taxonomy"))
	if got := top.Topics(); slices.Contains(got, "fused.parse") {
		t.Fatalf("topics %v: the chain made a hop", got)
	}
	d := top.Describe()
	if k := string(d.JSON()); !slices.ContainsFunc(d.Nodes, func(n topology.NodeDescription) bool { return n.Kind == "parser" }) {
		t.Errorf("the chain of a parser is not a parser node: %s", k)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithMemoryState(),
			topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "the events", func() bool { return out.distinct() == n })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.events) != n {
		t.Errorf("%d events for %d distinct: the deduplicator in the chain let repeats pass", len(out.events), n)
	}
	for _, ev := range out.events {
		if ev.Classification.Taxonomy == "" {
			t.Fatalf("an event without taxonomy: the chain skipped a part")
		}
	}
}
