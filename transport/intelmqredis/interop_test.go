package intelmqredis_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport/intelmqjson"
	"github.com/intelstream/intelstream/transport/intelmqredis"
)

// IntelMQ pipeline messages written by hand as IntelMQ's bots write them
// (Python's json.dumps: ", " and ": ", non-ASCII escaped, raw in base64),
// not with our encoder.
var interopIn = []string{
	`{"feed.name": "Example Feed", "feed.accuracy": 100.0, "classification.type": "phishing", "source.url": "http://example.com/login", "source.fqdn": "example.com", "time.observation": "2026-03-14T09:26:53+00:00", "raw": "aHR0cDovL2V4YW1wbGUuY29tL2xvZ2lu", "__type": "Event"}`,
	`{"__type": "Event", "feed.name": "Example Feed", "classification.type": "infected-system", "source.ip": "192.0.2.7", "source.port": 443, "malware.name": "zeus", "extra.first_seen": "2026-03-01", "extra.count": 3, "event_description.text": "Zugriff \u00fcber Port 443", "time.source": "2026-03-14T09:00:00+00:00"}`,
	`{"__type": "Event", "classification.type": "scanner", "source.ip": "2001:db8::1", "protocol.transport": "tcp"}`,
}

// interopWant is what an IntelMQ taxonomy expert writes for them: the same
// fields plus classification.taxonomy.
var interopWant = []map[string]any{
	{"__type": "Event", "feed.name": "Example Feed", "feed.accuracy": 100.0, "classification.type": "phishing", "classification.taxonomy": "fraud", "source.url": "http://example.com/login", "source.fqdn": "example.com", "time.observation": "2026-03-14T09:26:53+00:00", "raw": "aHR0cDovL2V4YW1wbGUuY29tL2xvZ2lu"},
	{"__type": "Event", "feed.name": "Example Feed", "classification.type": "infected-system", "classification.taxonomy": "malicious-code", "source.ip": "192.0.2.7", "source.port": 443.0, "malware.name": "zeus", "extra.first_seen": "2026-03-01", "extra.count": 3.0, "event_description.text": "Zugriff über Port 443", "time.source": "2026-03-14T09:00:00+00:00"},
	{"__type": "Event", "classification.type": "scanner", "classification.taxonomy": "information-gathering", "source.ip": "2001:db8::1", "protocol.transport": "tcp"},
}

// TestInteropTaxonomy is issue 12's "done when": messages LPUSHed into an
// IntelMQ bot's source queue, exactly as IntelMQ writes them, are taken by
// intelstream's taxonomy expert running as a topology node on this
// transport, and come out on the next bot's queue in IntelMQ's format,
// field by field what IntelMQ's taxonomy expert writes; the internal
// queue is empty once they are acknowledged, and a message IntelMQ could
// not read either goes to the node's dead-letter queue.
func TestInteropTaxonomy(t *testing.T) {
	cl, prefix := newClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fake := srfake.New()
	defer fake.Close()
	reg, err := schemas.NewRegistry([]string{fake.URL()})
	if err != nil {
		t.Fatal(err)
	}

	src, dst := prefix+"taxonomy-expert-queue", prefix+"file-output-queue"
	bad := `{"__type": "Event", "source.ip": "not an address"}`
	for _, m := range append(append([]string(nil), interopIn...), bad) {
		if err := cl.LPush(ctx, src, m).Err(); err != nil {
			t.Fatal(err)
		}
	}

	top := topology.New("interop")
	in := topology.Source(top, "collector", topology.CollectorFunc[dho.Event](func(ctx context.Context, _ func(*dho.Event) error) error {
		<-ctx.Done()
		return nil
	}))
	out := topology.Map(top, "taxonomy", in, taxonomy.New())
	topology.Sink(top, "file-output", out, topology.OutputFunc[dho.Event](func(context.Context, []*dho.Event) error {
		return errors.New("not run here: an IntelMQ bot reads this queue")
	}))
	tr := intelmqredis.New(cl,
		intelmqredis.WithCodec(intelmqjson.NewAvro(reg)),
		intelmqredis.Queues(map[string][]string{
			"interop.collector": {src[len(prefix):]},
			"interop.taxonomy":  {dst[len(prefix):]},
		}),
		intelmqredis.KeyPrefix(prefix))
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() {
		ran <- top.Run(runCtx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes("taxonomy"), topology.WithMemoryState())
	}()

	dlq := prefix + "interop.taxonomy.dlq"
	for {
		n, err := cl.LLen(ctx, dst).Result()
		if err != nil {
			t.Fatal(err)
		}
		d, err := cl.LLen(ctx, dlq).Result()
		if err != nil {
			t.Fatal(err)
		}
		left, err := cl.LLen(ctx, src+"-internal").Result()
		if err != nil {
			t.Fatal(err)
		}
		if n >= int64(len(interopIn)) && d >= 1 && left == 0 {
			break
		}
		select {
		case err := <-ran:
			t.Fatalf("the topology stopped: %v", err)
		case <-ctx.Done():
			t.Fatalf("%d of %d messages on %s, %d dead letters, %d in progress", n, len(interopIn), dst, d, left)
		case <-time.After(20 * time.Millisecond):
		}
	}
	stop()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}

	// The next bot takes from the right end: oldest first.
	got, err := cl.LRange(ctx, dst, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(got)
	if len(got) != len(interopWant) {
		t.Fatalf("%d messages on %s, want %d: %q", len(got), dst, len(interopWant), got)
	}
	for i, msg := range got {
		var m map[string]any
		if err := json.Unmarshal([]byte(msg), &m); err != nil {
			t.Fatalf("message %d is no JSON object: %v\n%s", i, err, msg)
		}
		// intelstream gives every event an id (DHO 2.0), which IntelMQ
		// carries along as an extra field.
		if id, ok := m["extra.dho.id"].(string); !ok || len(id) != 36 {
			t.Errorf("message %d: extra.dho.id = %v, want the event's UUID", i, m["extra.dho.id"])
		}
		delete(m, "extra.dho.id")
		want := interopWant[i]
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if v, ok := m[k]; !ok || v != want[k] {
				t.Errorf("message %d: %s = %#v, want %#v", i, k, v, want[k])
			}
		}
		for k, v := range m {
			if _, ok := want[k]; !ok {
				t.Errorf("message %d: unexpected field %s = %#v", i, k, v)
			}
		}
		// IntelMQ's own form: Python's separators and ASCII escapes.
		if !json.Valid([]byte(msg)) || containsNonASCII(msg) {
			t.Errorf("message %d is not in IntelMQ's ASCII JSON form: %s", i, msg)
		}
	}
	if n, err := cl.LLen(ctx, src+"-internal").Result(); err != nil || n != 0 {
		t.Errorf("internal queue holds %d messages (%v), want none after the acknowledgements", n, err)
	}
	if n, err := cl.LLen(ctx, src).Result(); err != nil || n != 0 {
		t.Errorf("source queue holds %d messages (%v), want none", n, err)
	}
	dead, err := cl.LRange(ctx, dlq, 0, -1).Result()
	if err != nil || len(dead) != 1 || dead[0] != bad {
		t.Errorf("dead letters %q (%v), want the unreadable message as it was", dead, err)
	}
}

func containsNonASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}
