package embedded_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

func start(t *testing.T, opts ...embedded.Option) (*embedded.Cluster, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c, err := embedded.Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, ctx
}

func TestBrokerAndRegistry(t *testing.T) {
	c, ctx := start(t, embedded.Topics(2, "seeded"))
	for _, a := range c.Brokers() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("broker on %s, want loopback", a)
		}
	}
	if !strings.HasPrefix(c.RegistryURL(), "http://127.0.0.1:") {
		t.Errorf("registry on %s, want loopback", c.RegistryURL())
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers()...), kgo.ConsumeTopics("seeded"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "seeded", Value: []byte("hello")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	fs := cl.PollFetches(ctx)
	if err := fs.Err0(); err != nil {
		t.Fatal(err)
	}
	if recs := fs.Records(); len(recs) != 1 || string(recs[0].Value) != "hello" {
		t.Fatalf("consumed %v", recs)
	}

	rc, err := sr.NewClient(sr.URLs(c.RegistryURL()))
	if err != nil {
		t.Fatal(err)
	}
	ss, err := rc.CreateSchema(ctx, "t-value", sr.Schema{Schema: `{"type":"string"}`, Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	got, err := rc.SchemaByID(ctx, ss.ID)
	if err != nil || got.Schema != `{"type":"string"}` {
		t.Fatalf("SchemaByID = %+v, %v", got, err)
	}
}

func TestStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := embedded.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-c.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("cluster still running after its context ended")
	}
	c.Close() // idempotent
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, opt := range []embedded.Option{
		embedded.Listen("0.0.0.0:0"),
		embedded.Listen(":0"),
		embedded.RegistryListen("192.0.2.1:0"),
	} {
		if c, err := embedded.Start(context.Background(), opt); err == nil {
			c.Close()
			t.Errorf("started on a non-loopback address")
		}
	}
}

// kcatPath finds kcat (Debian package kcat); under CI=true it must be
// there.
func kcatPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat not installed (apt-get install kcat); CI=true requires it")
		}
		t.Skip("kcat not installed")
	}
	return p
}

// An independent client (librdkafka, through kcat) reads what our
// producer wrote, and our consumer reads what it wrote.
func TestKcat(t *testing.T) {
	kcat := kcatPath(t)
	c, ctx := start(t)
	tr, err := kafka.New(kafka.Brokers(c.Brokers()...))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	broker := c.Brokers()[0]

	t.Run("OursToKcat", func(t *testing.T) {
		if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: "ours", Partitions: 1, ReplicationFactor: 1}); err != nil {
			t.Fatal(err)
		}
		p, err := tr.NewProducer(transport.ProducerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := range 5 {
			r := &transport.Record{Topic: "ours", Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i),
				Headers: []transport.Header{{Key: "h", Value: fmt.Appendf(nil, "x%d", i)}}}
			p.Produce(ctx, r, func(_ *transport.Record, err error) {
				if err != nil {
					t.Error(err)
				}
			})
			want = append(want, fmt.Sprintf("k%d v%d h=x%d", i, i, i))
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, kcat, "-b", broker, "-C", "-t", "ours", "-o", "beginning", "-e", "-q", "-f", `%k %s %h\n`)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("kcat: %v\n%s", err, stderr.String())
		}
		got := strings.Split(strings.TrimSpace(string(out)), "\n")
		if !slices.Equal(got, want) {
			t.Fatalf("kcat read\n%q\nwant\n%q", got, want)
		}
	})

	t.Run("KcatToOurs", func(t *testing.T) {
		cmd := exec.CommandContext(ctx, kcat, "-b", broker, "-P", "-t", "theirs", "-K", ":")
		cmd.Stdin = strings.NewReader("a:1\nb:2\nc:3\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kcat: %v\n%s", err, out)
		}
		cons, err := tr.NewConsumer(transport.ConsumerOptions{Group: "g", Topics: []string{"theirs"}})
		if err != nil {
			t.Fatal(err)
		}
		defer cons.Close()
		got := map[string]string{}
		for len(got) < 3 {
			recs, err := cons.Poll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				got[string(r.Key)] = string(r.Value)
			}
		}
		want := map[string]string{"a": "1", "b": "2", "c": "3"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("key %s: %q, want %q", k, got[k], v)
			}
		}
	})
}
