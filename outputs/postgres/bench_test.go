package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
)

// BenchmarkWrite writes events into PostgreSQL one by one and in batches,
// with COPY and with multi-row INSERT; it reports events/s.
func BenchmarkWrite(b *testing.B) {
	_, schema := testDB(b)
	pool := outtest.Events(b, 5000)
	for _, tc := range []struct {
		method string
		batch  int
	}{{"insert", 1}, {"copy", 1}, {"insert", 100}, {"copy", 100}, {"insert", 500}, {"copy", 500}} {
		b.Run(fmt.Sprintf("%s/batch=%d", tc.method, tc.batch), func(b *testing.B) {
			o := newOutput(b, map[string]any{"table": fmt.Sprintf("%s.%s_%d", schema, tc.method, tc.batch), "method": tc.method})
			events := make([]*dho.Event, tc.batch)
			n := 0
			for b.Loop() {
				for i := range events {
					e := pool[n%len(pool)].Clone()
					e.ID = ""
					e.Comment = fmt.Sprint(n) // a new event each time
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
