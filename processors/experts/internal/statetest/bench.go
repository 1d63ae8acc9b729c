package statetest

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/procstat"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

// Bench measures a stateful expert end to end on an in-process broker:
// the events (b.N of them, made by event) are written to the input topic
// first, keyed by key, then the timer runs while a topology reads them,
// runs the expert on 3 partitions with its state on disk, and writes its
// output, until the output holds want(b.N) records. It reports events/s
// and the process's peak resident memory (which includes the in-process
// broker holding every record).
func Bench[Out topology.Record](b *testing.B, proc topology.Processor[dho.Event, Out], event func(i int) *dho.Event, key func(*dho.Event) []byte, want func(n int) int64) {
	env := New(b)
	tr, reg := env.Tr, env.Reg
	ctx := context.Background()
	var got atomic.Int64
	top := topology.New("bench")
	src := topology.Source(top, "collect", topology.CollectorFunc[dho.Event](func(ctx context.Context, _ func(*dho.Event) error) error {
		<-ctx.Done()
		return nil
	}))
	mid := topology.Map(top, "expert", src, proc, topology.TickEvery(100*time.Millisecond))
	topology.Sink(top, "out", mid, topology.OutputFunc[Out](func(_ context.Context, batch []*Out) error {
		got.Add(int64(len(batch)))
		return nil
	}))
	var specs []transport.TopicSpec
	for _, name := range top.Topics() {
		specs = append(specs, transport.TopicSpec{Name: name, Partitions: 3, ReplicationFactor: 1})
	}
	if err := tr.CreateTopics(ctx, specs...); err != nil {
		b.Fatal(err)
	}
	serde := schemas.NewSerde(reg, schemas.TopicName)
	id, err := serde.Prepare(ctx, "bench.collect", schemas.EventRecord)
	if err != nil {
		b.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(env.Brokers...), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		e := event(i)
		e.EnsureID()
		cl.Produce(ctx, &kgo.Record{Topic: "bench.collect", Key: key(e), Value: schemas.AppendEvent(nil, id, e)}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	cl.Close()

	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	b.ResetTimer()
	cpu0 := procstat.CPUTime()
	start := time.Now()
	go func() {
		opts := []topology.RunOption{topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes("expert", "out"),
			topology.WithLogger(slog.New(slog.DiscardHandler))}
		done <- top.Run(rctx, append(opts, env.Opts...)...)
	}()
	target := want(b.N)
	for got.Load() < target {
		select {
		case err := <-done:
			b.Fatalf("topology ended: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	cpu := procstat.CPUTime() - cpu0
	b.StopTimer()
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	// CPU time per event (the process's, broker included) depends less
	// on other load than events/s does.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/event")
	if kib := procstat.PeakRSSKiB(); kib > 0 {
		b.ReportMetric(float64(kib)/1024, "peak-RSS-MiB")
	}
}
