package amqp

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

const server = "127.0.0.1:5672"

// consumer binds a fresh queue to a fresh exchange on the machine's
// RabbitMQ and collects what arrives; both are deleted at the end.
type consumer struct {
	exchange string
	mu       sync.Mutex
	msgs     []amqp091.Delivery
}

func newConsumer(t *testing.T, bindKey string) *consumer {
	t.Helper()
	outtest.Service(t, "RabbitMQ", server)
	conn, err := amqp091.Dial("amqp://guest:guest@" + server + "/")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	c := &consumer{exchange: fmt.Sprintf("intelstream-test-%d", time.Now().UnixNano())}
	if err := ch.ExchangeDeclare(c.exchange, "topic", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(q.Name, bindKey, c.exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	deliveries, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for d := range deliveries {
			c.mu.Lock()
			c.msgs = append(c.msgs, d)
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ch.ExchangeDelete(c.exchange, false, false)
		conn.Close()
	})
	return c
}

func (c *consumer) received() []amqp091.Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]amqp091.Delivery(nil), c.msgs...)
}

func (c *consumer) wait(t *testing.T, n int) []amqp091.Delivery {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got := c.received(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("%d messages arrived, want %d", len(c.received()), n)
	return nil
}

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"connection_host": "127.0.0.1"}, raw)
	o := outtest.New(t, Spec, New, base)
	return o
}

func TestPublishConfirmed(t *testing.T) {
	c := newConsumer(t, "intel.infected-system.#")
	o := newOutput(t, map[string]any{"exchange_name": c.exchange, "routing_key": "intel.{ev[classification.type]}.{ev[source.asn]}", "format_routing_key": true})
	events := outtest.Events(t, 5)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	got := c.wait(t, 5)
	for i, d := range got {
		want := events[i].Clone()
		want.Raw = nil // IntelMQ drops raw unless keep_raw_field
		if string(d.Body) != string(want.MarshalFlat(dho.FlatOptions{OmitType: true})) {
			t.Errorf("body %d: %s", i, d.Body)
		}
		if d.MessageId != events[i].ID || d.ContentType != "application/json" || d.DeliveryMode != 2 || d.RoutingKey != fmt.Sprintf("intel.infected-system.%d", 64496+i) {
			t.Errorf("message %d: id %s type %s mode %d key %s", i, d.MessageId, d.ContentType, d.DeliveryMode, d.RoutingKey)
		}
	}
}

func TestSingleKeyAndType(t *testing.T) {
	c := newConsumer(t, "k")
	o := newOutput(t, map[string]any{"exchange_name": c.exchange, "routing_key": "k", "single_key": "source.fqdn", "delivery_mode": 1, "content_type": "text/plain"})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err != nil {
		t.Fatal(err)
	}
	if d := c.wait(t, 1)[0]; string(d.Body) != "host0.example.org" || d.DeliveryMode != 1 || d.ContentType != "text/plain" {
		t.Errorf("%q %d %s", d.Body, d.DeliveryMode, d.ContentType)
	}
}

func TestRefusals(t *testing.T) {
	c := newConsumer(t, "k")
	// The exchange exists as a topic exchange: declaring it direct is refused.
	o := newOutput(t, map[string]any{"exchange_name": c.exchange, "exchange_type": "direct", "connection_attempts": 1})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err == nil || topology.IsTransient(err) {
		t.Errorf("exchange of another type: %v, want a permanent error", err)
	}
	o = newOutput(t, map[string]any{"exchange_name": c.exchange, "password": "wrong", "connection_attempts": 1})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err == nil || topology.IsTransient(err) {
		t.Errorf("wrong password: %v, want a permanent error", err)
	}
	o = newOutput(t, map[string]any{"exchange_name": c.exchange, "connection_port": 1, "connection_attempts": 1})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); !topology.IsTransient(err) {
		t.Errorf("no broker: %v, want transient", err)
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{}, Param: "exchange_name"},
		{Raw: map[string]any{"exchange_name": "x", "delivery_mode": 3}, Param: "delivery_mode"},
		{Raw: map[string]any{"exchange_name": "x", "connection_port": 0}, Param: "connection_port"},
		{Raw: map[string]any{"exchange_name": "x", "single_key": "no.such"}, Param: "single_key"},
		{Raw: map[string]any{"exchange_name": "x", "exchange_type": "x-custom"}, Param: "exchange_type"},
		{Raw: map[string]any{"exchange_name": "x", "connection_attempts": 0}, Param: "connection_attempts"},
	})
}

// The broker connection breaks mid-batch and comes back: every event
// arrives (counted by message id; a batch cut before its confirms comes
// again, so repeats are possible and counted apart).
func TestFaultBrokerGoesAway(t *testing.T) {
	c := newConsumer(t, "#")
	proxy := outtest.NewProxy(t, server)
	o := newOutput(t, map[string]any{"exchange_name": c.exchange, "routing_key": "r", "connection_port": proxy.Port(), "connection_attempts": 1})
	events := outtest.Events(t, 1500)
	distinct := func() int {
		seen := map[string]bool{}
		for _, d := range c.received() {
			seen[d.MessageId] = true
		}
		return len(seen)
	}
	go func() {
		for i := range 3 {
			proxy.CutAfter(int64(150+i*100) << 10)
			for !proxy.Down() {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(150 * time.Millisecond)
			proxy.Restore()
		}
	}()
	outtest.Run(t, events, o, func() bool { return distinct() == len(events) }, 60*time.Second, topology.Batch(100, 5*time.Millisecond))
}
