package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

func TestCompressionDefaultFollowsBrokers(t *testing.T) {
	for _, c := range []struct {
		brokers []string
		none    bool
	}{
		{[]string{"127.0.0.1:9092"}, true},
		{[]string{"localhost:9092", "[::1]:9093", "127.0.0.2:9092"}, true},
		{[]string{"127.0.0.1:9092", "kafka-1:9092"}, false},
		{[]string{"10.0.0.5:9092"}, false},
		{[]string{"kafka.example.net:9092"}, false},
		{nil, false},
	} {
		got := compressionFor(c.brokers)
		if none := len(got) == 1 && got[0] == kgo.NoCompression(); none != c.none || (!c.none && got != nil) {
			t.Errorf("%v: compression %v, want none %v", c.brokers, got, c.none)
		}
	}
}

// TestCompressionReachesBatches produces through transports with the
// default (loopback: none) and with Compression(Snappy), and reads the
// codec of each batch back from the broker.
func TestCompressionReachesBatches(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "none", "snappy"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for topic, opts := range map[string][]Option{
		"none":   nil,
		"snappy": {Compression(kgo.SnappyCompression())},
	} {
		tr, err := New(append([]Option{Brokers(c.ListenAddrs()...)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tr.NewProducer(transport.ProducerOptions{ID: topic})
		if err != nil {
			t.Fatal(err)
		}
		value := make([]byte, 4096) // compressible
		p.Produce(ctx, &transport.Record{Topic: topic, Value: value}, nil)
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		tr.Close()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("none", "snappy"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	want := map[string]uint8{"none": 0, "snappy": 2}
	got := map[string]uint8{}
	for len(got) < len(want) && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got[r.Topic] = r.Attrs.CompressionType() })
	}
	for topic, codec := range want {
		if g, ok := got[topic]; !ok || g != codec {
			t.Errorf("topic %s: batch compression %d (read %v), want %d", topic, g, ok, codec)
		}
	}
}
