package topology_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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

const benchRecords = 50_000

// benchSetup starts a broker and registry and fills topic in with
// benchRecords events in the wire format.
func benchSetup(b *testing.B, topics ...string) (brokers []string, reg *schemas.Registry, cleanup func()) {
	b.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		b.Fatal(err)
	}
	fake := srfake.New()
	reg, _ = schemas.NewRegistry([]string{fake.URL()})
	brokers = c.ListenAddrs()
	tr, _ := kafka.New(kafka.Brokers(brokers...))
	ctx := context.Background()
	var specs []transport.TopicSpec
	for _, t := range topics {
		specs = append(specs, transport.TopicSpec{Name: t, Partitions: 3, ReplicationFactor: 1})
	}
	if err := tr.CreateTopics(ctx, specs...); err != nil {
		b.Fatal(err)
	}
	tr.Close()
	serde := schemas.NewSerde(reg, schemas.TopicName)
	cl, _ := kgo.NewClient(kgo.SeedBrokers(brokers...))
	defer cl.Close()
	e, err := dho.ParseEvent([]byte(`{"classification.type": "scanner", "feed.name": "Bench", "source.asn": 64496, "source.ip": "192.0.2.1", "source.port": 22, "time.source": "2026-11-20T08:15:00+00:00"}`))
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchRecords {
		e.ID = ""
		_ = e.Set("source.port", i%65536)
		v, err := serde.EncodeEvent(ctx, topics[0], e)
		if err != nil {
			b.Fatal(err)
		}
		cl.Produce(ctx, &kgo.Record{Topic: topics[0], Key: []byte(fmt.Sprint(i)), Value: v}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	return brokers, reg, func() { fake.Close(); c.Close() }
}

// countTopic waits until topic holds n records.
func countTopic(b *testing.B, brokers []string, topic string, n int) {
	cl, _ := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	got := 0
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for got < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			b.Fatalf("%s: %d of %d records", topic, got, n)
		}
		got += f.NumRecords()
	}
}

// BenchmarkChain compares three pass-through hops (consume, decode, encode,
// produce, commit) written by hand on franz-go with the same three hops as
// a topology, on the same broker with the same records.
func BenchmarkChain(b *testing.B) {
	b.Run("franz-go-by-hand", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			brokers, reg, cleanup := benchSetup(b, "in", "h1", "h2", "h3")
			b.StartTimer()
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for i, hop := range [][2]string{{"in", "h1"}, {"h1", "h2"}, {"h2", "h3"}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					handHop(ctx, brokers, reg, fmt.Sprint("g", i), hop[0], hop[1])
				}()
			}
			countTopic(b, brokers, "h3", benchRecords)
			cancel()
			wg.Wait()
			b.StopTimer()
			cleanup()
			b.StartTimer()
		}
		b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("topology", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			brokers, reg, cleanup := benchSetup(b, "bench.collect", "bench.a", "bench.b", "bench.c")
			tr, _ := kafka.New(kafka.Brokers(brokers...))
			pass := topology.Processor[dho.Event, dho.Event](topology.ProcessorFunc[dho.Event, dho.Event](func(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
				emit(e)
				return nil
			}))
			top := topology.New("bench")
			in := topology.Source(top, "collect", topology.CollectorFunc[dho.Event](func(context.Context, func(*dho.Event) error) error { return nil }))
			c := topology.Map(top, "c", topology.Map(top, "b", topology.Map(top, "a", in, pass), pass), pass)
			topology.Sink(top, "out", c, topology.OutputFunc[dho.Event](func(context.Context, []*dho.Event) error { return nil }))
			b.StartTimer()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- top.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes("a", "b", "c"),
					topology.WithLogger(slog.New(slog.DiscardHandler)))
			}()
			countTopic(b, brokers, "bench.c", benchRecords)
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			tr.Close()
			cleanup()
			b.StartTimer()
		}
		b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// handHop is one hop of the hand-written chain: what a careful franz-go
// user writes for at-least-once.
func handHop(ctx context.Context, brokers []string, reg *schemas.Registry, group, from, to string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumerGroup(group), kgo.ConsumeTopics(from),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	serde := schemas.NewSerde(reg, schemas.TopicName)
	id, err := serde.Prepare(ctx, to, schemas.EventRecord)
	if err != nil {
		return
	}
	var failed atomic.Bool
	for ctx.Err() == nil {
		fetches := cl.PollRecords(ctx, 1000)
		var e dho.Event
		fetches.EachRecord(func(r *kgo.Record) {
			if err := serde.DecodeEvent(ctx, r.Value, &e); err != nil {
				failed.Store(true)
				return
			}
			cl.Produce(ctx, &kgo.Record{Topic: to, Key: r.Key, Value: schemas.AppendEvent(nil, id, &e)}, func(_ *kgo.Record, err error) {
				if err != nil {
					failed.Store(true)
				}
			})
		})
		if err := cl.Flush(ctx); err != nil || failed.Load() {
			return
		}
		if err := cl.CommitUncommittedOffsets(ctx); err != nil {
			return
		}
	}
}
