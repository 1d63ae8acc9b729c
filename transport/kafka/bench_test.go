package kafka_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

// BenchmarkProduceConsume moves b.N small records (8-byte key, 100-byte
// value, 3 partitions) through a kfake broker: produced asynchronously
// while a group member polls them and commits after each poll. The
// "transport" case goes through this package, "kgo" through plain kgo
// clients configured alike, so the difference is the transport's cost.
func BenchmarkProduceConsume(b *testing.B) {
	value := make([]byte, 100)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	var acked atomic.Int64 // both cases count acknowledgements, as the runtime does
	b.Run("transport", func(b *testing.B) {
		ctx := context.Background()
		c := newCluster(b)
		tr := newTransport(b, c)
		if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: "t", Partitions: 3, ReplicationFactor: 1}); err != nil {
			b.Fatal(err)
		}
		p, err := tr.NewProducer(transport.ProducerOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		cons, err := tr.NewConsumer(transport.ConsumerOptions{Group: "g", Topics: []string{"t"}})
		if err != nil {
			b.Fatal(err)
		}
		defer cons.Close()
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		go func() {
			for i := range b.N {
				p.Produce(ctx, &transport.Record{Topic: "t", Key: fmt.Appendf(nil, "%08d", i%1000), Value: value}, func(*transport.Record, error) { acked.Add(1) })
			}
		}()
		for got := 0; got < b.N; {
			recs, err := cons.Poll(ctx)
			if err != nil {
				b.Fatal(err)
			}
			got += len(recs)
			if err := cons.Commit(ctx, recs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rec/s")
	})
	b.Run("kgo", func(b *testing.B) {
		ctx := context.Background()
		c := newCluster(b)
		tr := newTransport(b, c)
		if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: "t", Partitions: 3, ReplicationFactor: 1}); err != nil {
			b.Fatal(err)
		}
		p, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RequiredAcks(kgo.AllISRAcks()))
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumerGroup("g"), kgo.ConsumeTopics("t"),
			kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
		if err != nil {
			b.Fatal(err)
		}
		defer cons.Close()
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		go func() {
			for i := range b.N {
				p.Produce(ctx, &kgo.Record{Topic: "t", Key: fmt.Appendf(nil, "%08d", i%1000), Value: value}, func(*kgo.Record, error) { acked.Add(1) })
			}
		}()
		for got := 0; got < b.N; {
			fs := cons.PollFetches(ctx)
			if err := fs.Err0(); err != nil {
				b.Fatal(err)
			}
			recs := fs.Records()
			got += len(recs)
			if err := cons.CommitRecords(ctx, recs...); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rec/s")
	})
}
