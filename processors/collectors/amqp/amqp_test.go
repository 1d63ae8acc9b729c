package amqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

const server = "127.0.0.1:5672"

// rabbit connects to the RabbitMQ server of the test machine and declares
// a queue of a unique name (deleted at the end). Without a server the
// test is skipped, unless CI=true.
func rabbit(t *testing.T) (*amqp091.Channel, string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", server, 2*time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("RabbitMQ is not reachable on %s: %v", server, err)
		}
		t.Skipf("RabbitMQ is not reachable on %s: %v", server, err)
	} else {
		c.Close()
	}
	conn, err := amqp091.Dial("amqp://guest:guest@" + server + "/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	queue := fmt.Sprintf("intelstream-test-%s-%d", strings.ToLower(t.Name()), time.Now().UnixNano())
	if _, err := ch.QueueDeclare(queue, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.QueueDelete(queue, false, false, false) })
	return ch, queue
}

func publish(t *testing.T, ch *amqp091.Channel, queue string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if err := ch.PublishWithContext(context.Background(), "", queue, false, false, amqp091.Publishing{Body: []byte(b)}); err != nil {
			t.Fatal(err)
		}
	}
}

// ready returns the number of messages ready in the queue (neither
// delivered nor unacknowledged), waiting for it to reach want.
func ready(t *testing.T, ch *amqp091.Channel, queue string, want int) int {
	t.Helper()
	var n int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n = q.Messages; n == want {
			break
		}
	}
	return n
}

func newCollector(t *testing.T, queue string, extra map[string]any) *Collector {
	t.Helper()
	raw := map[string]any{"queue_name": queue, "connection_host": "127.0.0.1", "connection_port": 5672,
		"username": "guest", "password": "guest", "name": "AMQP feed", "reconnect_delay": "20ms"}
	for k, v := range extra {
		raw[k] = v
	}
	p, err := Spec.ValidateIntelMQ(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.SetLogger(slog.New(slog.DiscardHandler))
	return c
}

// collect runs c until it emitted n reports, waits a little for the
// acknowledgement, stops it and returns the raw values.
func collect(t *testing.T, c *Collector, n int, during func(got int)) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []string
	err := c.Run(ctx, func(r *dho.Report) error {
		if r.Feed.Name != "AMQP feed" || r.Time.Observation == nil {
			t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(r.Raw))
		if during != nil {
			during(len(got))
		}
		if len(got) == n {
			go func() { time.Sleep(200 * time.Millisecond); cancel() }()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return got
}

func TestMessagesAckedInBatchesOfPrefetch(t *testing.T) {
	ch, queue := rabbit(t)
	want := []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7"}
	publish(t, ch, queue, want...)
	got := collect(t, newCollector(t, queue, map[string]any{"prefetch_count": 2}), len(want), nil)
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	// Every message was acknowledged: none came back once the collector left.
	if n := ready(t, ch, queue, 0); n != 0 {
		t.Errorf("%d messages back in the queue", n)
	}
}

func TestUnackedRedeliveredAfterStopBeforeFlush(t *testing.T) {
	ch, queue := rabbit(t)
	publish(t, ch, queue, "a", "b", "c")
	// The node stops right after "a" was emitted, before Flush.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := newCollector(t, queue, nil).Run(ctx, func(*dho.Report) error { cancel(); return nil }); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := ready(t, ch, queue, 3); n != 3 {
		t.Fatalf("%d messages ready after a stop, want 3", n)
	}
	// emit fails (the report could not be handed on): nothing acknowledged.
	crash := errors.New("node dies")
	err := newCollector(t, queue, nil).Run(context.Background(), func(*dho.Report) error { return crash })
	if !errors.Is(err, crash) {
		t.Fatalf("Run: %v", err)
	}
	if n := ready(t, ch, queue, 3); n != 3 {
		t.Fatalf("%d messages ready after a failed emit, want 3", n)
	}
	if got := collect(t, newCollector(t, queue, nil), 3, nil); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("redelivered %q", got)
	}
	if n := ready(t, ch, queue, 0); n != 0 {
		t.Errorf("%d messages left", n)
	}
}

func TestReconnectsWhenTheQueueGoesAway(t *testing.T) {
	ch, queue := rabbit(t)
	publish(t, ch, queue, "before")
	got := collect(t, newCollector(t, queue, nil), 2, func(got int) {
		if got != 1 {
			return
		}
		// The server cancels the consumer: the collector must come back.
		go func() {
			time.Sleep(100 * time.Millisecond)
			if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
				t.Error(err)
			}
			time.Sleep(100 * time.Millisecond)
			if _, err := ch.QueueDeclare(queue, false, false, false, false, nil); err != nil {
				t.Error(err)
			}
			publish(t, ch, queue, "after")
		}()
	})
	if !slices.Equal(got, []string{"before", "after"}) {
		t.Fatalf("got %q", got)
	}
}

func TestIntelMQMessages(t *testing.T) {
	ch, queue := rabbit(t)
	publish(t, ch, queue, `{"__type": "Report", "feed.name": "AMQP feed", "raw": "eA==", "time.observation": "2026-11-20T09:00:00+00:00"}`)
	got := collect(t, newCollector(t, queue, map[string]any{"expect_intelmq_message": true}), 1, nil)
	if !slices.Equal(got, []string{"x"}) {
		t.Fatalf("got %q", got)
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{}, "queue_name"},
		{map[string]any{"queue_name": " "}, "queue_name"},
		{map[string]any{"queue_name": "q", "connection_port": 70000}, "connection_port"},
		{map[string]any{"queue_name": "q", "connection_host": ""}, "connection_host"},
		{map[string]any{"queue_name": "q", "prefetch_count": 0}, "prefetch_count"},
		{map[string]any{"queue_name": "q", "use_ssl": true, "ssl_ca_certificate": "/nonexistent.pem"}, "ssl_ca_certificate"},
		{map[string]any{"queue_name": "q", "use_ssl": "perhaps"}, "use_ssl"},
	} {
		p, err := Spec.Validate(tc.raw)
		if err == nil {
			_, err = New(p)
		}
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%v: err %v, want one naming %s", tc.raw, err, tc.param)
		}
	}
}
