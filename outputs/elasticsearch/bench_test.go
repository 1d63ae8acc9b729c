package elasticsearch

import (
	"context"
	"fmt"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
)

// BenchmarkWrite indexes events into the in-process bulk fake one by one
// and in batches; it reports events/s.
func BenchmarkWrite(b *testing.B) {
	pool := outtest.Events(b, 5000)
	for _, batch := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			f := newFakeES(b)
			o := newOutput(b, f, map[string]any{"rotate_index": "daily"})
			events := make([]*dho.Event, batch)
			n := 0
			for b.Loop() {
				for i := range events {
					e := pool[n%len(pool)].Clone()
					e.ID = fmt.Sprintf("01900000-0000-7000-9000-%012d", n)
					events[i] = e
					n++
				}
				if err := o.Write(context.Background(), events); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
