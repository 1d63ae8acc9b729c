package taxonomy

import (
	"context"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// BenchmarkProcess measures the expert on one core in events per second,
// over events of the four cases of the rules (type only, neither, taxonomy
// only, both).
func BenchmarkProcess(b *testing.B) {
	x := New()
	cases := []dho.Classification{{Type: "infected-system"}, {}, {Taxonomy: "fraud"}, {Type: "scanner", Taxonomy: "fraud"}}
	events := make([]dho.Event, len(cases))
	emitted := 0
	emit := func(*dho.Event) { emitted++ }
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e := &events[i%len(events)]
		e.Classification = cases[i%len(cases)]
		if err := x.Process(ctx, e, emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(emitted)/b.Elapsed().Seconds(), "events/s")
}
