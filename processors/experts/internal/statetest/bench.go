package statetest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Bench measures a stateful expert end to end on an in-process broker:
// the events (b.N of them, made by event) are written to the input topic
// first, keyed by key, then the timer runs while a topology reads them,
// runs the expert on 3 partitions with its state on disk, and writes its
// output, until the output holds want(b.N) records. It reports events/s
// and the process's peak resident memory (which includes the in-process
// broker holding every record).
func Bench[Out topology.Record](b *testing.B, proc topology.Processor[dho.Event, Out], event func(i int) *dho.Event, key func(*dho.Event) []byte, want func(n int) int64) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	fake := srfake.New()
	defer fake.Close()
	tr, err := kafka.New(kafka.Brokers(c.ListenAddrs()...))
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	reg, err := schemas.NewRegistry([]string{fake.URL()})
	if err != nil {
		b.Fatal(err)
	}
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
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ProducerLinger(5*time.Millisecond))
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
	cpu0 := cpuTime()
	start := time.Now()
	go func() {
		done <- top.Run(rctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes("expert", "out"),
			topology.WithStateDir(b.TempDir()), topology.WithLogger(slog.New(slog.DiscardHandler)))
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
	cpu := cpuTime() - cpu0
	b.StopTimer()
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	// CPU time per event (the process's, broker included) depends less
	// on other load than events/s does.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/event")
	if mib := peakRSSMiB(); mib > 0 {
		b.ReportMetric(mib, "peak-RSS-MiB")
	}
}

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMiB is the process's peak resident memory (VmHWM), 0 where
// /proc is missing.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
