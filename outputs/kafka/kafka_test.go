package kafka

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
)

// destination is another in-process cluster (broker and registry) the
// output writes to.
func destination(t *testing.T) *embedded.Cluster {
	t.Helper()
	cl, err := embedded.Start(context.Background(), embedded.Logger(slog.New(slog.DiscardHandler)), embedded.Topics(2, "delivered"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func newOutput(t *testing.T, cl *embedded.Cluster, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"brokers": cl.Brokers(), "topic": "delivered"}, raw)
	o := outtest.New(t, Spec, New, base)
	return o
}

// consume reads the topic from the start until it has n records.
func consume(t *testing.T, cl *embedded.Cluster, n int) []*kgo.Record {
	t.Helper()
	c, err := kgo.NewClient(kgo.SeedBrokers(cl.Brokers()...), kgo.ConsumeTopics("delivered"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := c.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d records, want %d", len(out), n)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

func TestFormats(t *testing.T) {
	for _, format := range []string{"intelmq", "dho", "avro"} {
		t.Run(format, func(t *testing.T) {
			cl := destination(t)
			raw := map[string]any{"format": format}
			if format == "avro" {
				raw["registry"] = cl.RegistryURL()
			}
			o := newOutput(t, cl, raw)
			events := outtest.Events(t, 4)
			if err := o.Write(context.Background(), events); err != nil {
				t.Fatal(err)
			}
			byID := map[string]*dho.Event{}
			for _, e := range events {
				byID[e.ID] = e
			}
			reg, _ := schemas.NewRegistry([]string{cl.RegistryURL()})
			serde := schemas.NewSerde(reg, schemas.TopicName)
			for _, r := range consume(t, cl, 4) {
				want := byID[string(r.Key)]
				if want == nil {
					t.Fatalf("key %q is no event id", r.Key)
				}
				var got *dho.Event
				switch format {
				case "avro":
					got = &dho.Event{}
					if err := serde.DecodeEvent(context.Background(), r.Value, got); err != nil {
						t.Fatal(err)
					}
				case "dho":
					if string(r.Value) != string(want.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO, OmitType: true})) {
						t.Errorf("value %s", r.Value)
					}
					continue
				default:
					if string(r.Value) != string(want.MarshalFlat(dho.FlatOptions{OmitType: true})) {
						t.Errorf("value %s", r.Value)
					}
					continue
				}
				if string(got.MarshalFlat(dho.FlatOptions{})) != string(want.MarshalFlat(dho.FlatOptions{})) {
					t.Errorf("avro round trip:\n%s\nwant\n%s", got.MarshalFlat(dho.FlatOptions{}), want.MarshalFlat(dho.FlatOptions{}))
				}
			}
		})
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"topic": "t"}, Param: "brokers"},
		{Raw: map[string]any{"brokers": "127.0.0.1:1"}, Param: "topic"},
		{Raw: map[string]any{"brokers": "127.0.0.1:1", "topic": "t", "format": "avro"}, Param: "registry"},
		{Raw: map[string]any{"brokers": "127.0.0.1:1", "topic": "t", "key_field": "nope"}, Param: "key_field"},
		{Raw: map[string]any{"brokers": "127.0.0.1:1", "topic": "t", "format": "xml"}, Param: "format"},
		{Raw: map[string]any{"brokers": "127.0.0.1:1", "topic": "t", "delivery_timeout": "10ms"}, Param: "delivery_timeout"},
	})
}

// The destination refuses produce requests for a while (longer than the
// delivery timeout, so batches fail and are retried by the runtime) and
// comes back: every event arrives, counted by key.
func TestFaultDestinationRefuses(t *testing.T) {
	cl := destination(t)
	o := newOutput(t, cl, map[string]any{"delivery_timeout": "1s"})
	events := outtest.Events(t, 2000)
	var h *kfake.FaultHandle
	go func() {
		time.Sleep(50 * time.Millisecond)
		h = cl.Kafka().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "delivered", Err: kerr.NotEnoughReplicas, Count: -1})
		time.Sleep(2500 * time.Millisecond)
		h.Remove()
	}()
	seen := map[string]bool{}
	c, err := kgo.NewClient(kgo.SeedBrokers(cl.Brokers()...), kgo.ConsumeTopics("delivered"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	outtest.Run(t, events, o, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		for _, r := range c.PollFetches(ctx).Records() {
			seen[string(r.Key)] = true
		}
		return len(seen) == len(events)
	}, 60*time.Second, topology.Batch(200, 5*time.Millisecond))
	if h == nil || h.Hits() == 0 {
		t.Error("the fault never fired")
	}
}
