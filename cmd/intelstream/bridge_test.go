package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		want endpoint
		err  string
	}{
		{"kafka:events", endpoint{kind: "kafka", topic: "events"}, ""},
		{"intelmq-redis://127.0.0.1:6379/2?queue=taxonomy-expert-queue", endpoint{kind: "intelmq-redis", topic: "taxonomy-expert-queue", url: "redis://127.0.0.1:6379/2"}, ""},
		{"intelmq-rediss://:pw@redis.example:6380/2?queue=q&dial_timeout=3s", endpoint{kind: "intelmq-redis", topic: "q", url: "rediss://:pw@redis.example:6380/2?dial_timeout=3s"}, ""},
		{"amqp://guest:guest@127.0.0.1:5672/?queue=file-output-queue", endpoint{kind: "amqp", topic: "file-output-queue", url: "amqp://guest:guest@127.0.0.1:5672/"}, ""},
		{"kafka:", endpoint{}, "want kafka:TOPIC"},
		{"intelmq-redis://127.0.0.1:6379/2", endpoint{}, "queue parameter is missing"},
		{"redis://127.0.0.1:6379/2?queue=q", endpoint{}, "want kafka:TOPIC, intelmq-redis://"},
		{"events", endpoint{}, "want kafka:TOPIC"},
	}
	for _, tt := range tests {
		got, err := parseEndpoint(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseEndpoint(%q) = %v, want an error with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseEndpoint(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestBridgeRedisKafkaRoundTrip moves hand-written IntelMQ messages from
// an IntelMQ Redis queue into a Kafka topic (DHO Avro via the registry,
// checked by decoding), and back onto another IntelMQ queue, where they are
// IntelMQ's JSON again.
func TestBridgeRedisKafkaRoundTrip(t *testing.T) {
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is not reachable on 127.0.0.1:6379: %v", err)
		}
		t.Skipf("Redis is not reachable on 127.0.0.1:6379: %v", err)
	}
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 13})
	defer cl.Close()
	in := fmt.Sprintf("bridge-test-%d-%d-in-queue", os.Getpid(), time.Now().UnixNano())
	out := strings.Replace(in, "-in-", "-out-", 1)
	defer cl.Del(context.Background(), in, in+"-internal", out)

	msgs := []string{
		`{"__type": "Event", "classification.type": "phishing", "source.url": "http://example.com/a", "extra.dho.id": "01900000-0000-7000-8000-000000000001"}`,
		`{"__type": "Event", "source.ip": "192.0.2.9", "source.port": 22, "extra.dho.id": "01900000-0000-7000-8000-000000000002", "event_description.text": "\u00fcber"}`,
	}
	for _, m := range msgs {
		if err := cl.LPush(ctx, in, m).Err(); err != nil {
			t.Fatal(err)
		}
	}

	emb, err := embedded.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	flags := []string{"--brokers", strings.Join(emb.Brokers(), ","), "--registry", emb.RegistryURL(), "--until-idle", "2s"}

	stdout, stderr, err := run(t, "", append([]string{"bridge", "--from", "intelmq-redis://127.0.0.1:6379/13?queue=" + in, "--to", "kafka:events"}, flags...)...)
	if err != nil {
		t.Fatalf("bridge to Kafka: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "2 messages moved") {
		t.Errorf("stdout %q", stdout)
	}
	for _, k := range []string{in, in + "-internal"} {
		if n, _ := cl.LLen(ctx, k).Result(); n != 0 {
			t.Errorf("%s holds %d messages after the bridge", k, n)
		}
	}

	// On Kafka: DHO Avro records the runtime's Serde reads.
	tr, err := kafka.New(kafka.Brokers(emb.Brokers()...))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	reg, err := schemas.NewRegistry([]string{emb.RegistryURL()})
	if err != nil {
		t.Fatal(err)
	}
	kc, err := tr.NewConsumer(transport.ConsumerOptions{Group: "check", Topics: []string{"events"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for len(ids) < len(msgs) {
		recs, err := kc.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			var e dho.Event
			if err := schemas.NewSerde(reg, schemas.TopicName).DecodeEvent(ctx, r.Value, &e); err != nil {
				t.Fatalf("record on Kafka: %v", err)
			}
			ids = append(ids, e.ID)
		}
	}
	kc.Close()
	slices.Sort(ids)
	if want := []string{"01900000-0000-7000-8000-000000000001", "01900000-0000-7000-8000-000000000002"}; !slices.Equal(ids, want) {
		t.Errorf("event ids on Kafka %v, want %v", ids, want)
	}

	if _, stderr, err := run(t, "", append([]string{"bridge", "--from", "kafka:events", "--to", "intelmq-redis://127.0.0.1:6379/13?queue=" + out}, flags...)...); err != nil {
		t.Fatalf("bridge to Redis: %v\n%s", err, stderr)
	}
	got, err := cl.LRange(ctx, out, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{
		`{"__type": "Event", "classification.type": "phishing", "extra.dho.id": "01900000-0000-7000-8000-000000000001", "source.url": "http://example.com/a"}`,
		`{"__type": "Event", "event_description.text": "\u00fcber", "extra.dho.id": "01900000-0000-7000-8000-000000000002", "source.ip": "192.0.2.9", "source.port": 22}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("back on IntelMQ's queue:\n got %q\nwant %q", got, want)
	}
}

func TestBridgeFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bridge", "--from", "kafka:a", "--to", "ftp://x?queue=q"}, "--to: endpoint"},
		{[]string{"bridge", "--from", "intelmq-redis://127.0.0.1:6379/2", "--to", "kafka:a"}, "--from: endpoint"},
		{[]string{"bridge", "--from", "kafka:a", "--to", "intelmq-redis://127.0.0.1:6379/2?queue=q"}, "needs --brokers"},
	} {
		if _, _, err := run(t, "", tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}
