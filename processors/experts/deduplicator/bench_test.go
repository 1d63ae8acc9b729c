package deduplicator_test

import (
	"fmt"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/processors/experts/internal/statetest"
	"github.com/intelstream/intelstream/topology"
)

// BenchmarkDedupEndToEnd: b.N events, every address twice, through a
// deduplicator node on the in-process broker with its table on disk (run
// with -benchtime 1000000x for the million-event figure).
func BenchmarkDedupEndToEnd(b *testing.B) {
	p, err := deduplicator.Spec.Validate(map[string]any{"filter_type": "whitelist", "filter_keys": "source.ip, classification.type"})
	if err != nil {
		b.Fatal(err)
	}
	dd, err := deduplicator.New(p)
	if err != nil {
		b.Fatal(err)
	}
	event := func(i int) *dho.Event {
		e := &dho.Event{}
		n := i / 2 // every address twice, one after the other
		_ = e.Set("source.ip", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
		_ = e.Set("classification.type", "scanner")
		_ = e.Set("feed.name", "benchmark")
		return e
	}
	statetest.Bench(b, topology.Processor[dho.Event, dho.Event](dd), event,
		func(e *dho.Event) []byte { return []byte(e.Source.IP[0]) },
		func(n int) int64 { return int64((n + 1) / 2) })
}
