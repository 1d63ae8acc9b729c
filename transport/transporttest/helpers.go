package transporttest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/transport"
)

var seq atomic.Int64

// name returns a topic or group name unique in the process, readable in
// broker logs: the test's name plus a counter.
func name(t *testing.T, kind string) string {
	n := strings.NewReplacer("/", ".", " ", "_").Replace(t.Name())
	return fmt.Sprintf("%s.%s.%d", n, kind, seq.Add(1))
}

// env is one case's transport, deadline and topic layout.
type env struct {
	t          *testing.T
	tr         transport.Transport
	ctx        context.Context
	partitions int32
}

func (e *env) topic(partitions int32) string {
	e.t.Helper()
	topic := name(e.t, "topic")
	if err := e.tr.CreateTopics(e.ctx, transport.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: 1}); err != nil {
		e.t.Fatalf("CreateTopics(%s): %v", topic, err)
	}
	return topic
}

func (e *env) producer(opts transport.ProducerOptions) transport.Producer {
	e.t.Helper()
	p, err := e.tr.NewProducer(opts)
	if err != nil {
		e.t.Fatalf("NewProducer: %v", err)
	}
	e.t.Cleanup(func() { p.Close() })
	return p
}

func (e *env) consumer(opts transport.ConsumerOptions) transport.Consumer {
	e.t.Helper()
	c, err := e.tr.NewConsumer(opts)
	if err != nil {
		e.t.Fatalf("NewConsumer: %v", err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// acks counts acknowledgements and keeps the first error.
type acks struct {
	mu    sync.Mutex
	n     int
	err   error
	noOff int // acknowledged records without an offset
}

func (a *acks) done(r *transport.Record, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("record %q: %w", r.Value, err)
	}
	if err == nil && r.Offset < 0 {
		a.noOff++
	}
}

// check fails unless want records were acknowledged without error.
func (a *acks) check(t *testing.T, want int) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		t.Fatalf("produce failed: %v", a.err)
	}
	if a.n != want {
		t.Fatalf("%d acknowledgements, want %d", a.n, want)
	}
	if a.noOff > 0 {
		t.Fatalf("%d acknowledged records without an offset", a.noOff)
	}
}

// produce sends recs with p, flushes and checks every acknowledgement.
func (e *env) produce(p transport.Producer, recs ...*transport.Record) {
	e.t.Helper()
	var a acks
	for _, r := range recs {
		p.Produce(e.ctx, r, a.done)
	}
	if err := p.Flush(e.ctx); err != nil {
		e.t.Fatalf("Flush: %v", err)
	}
	a.check(e.t, len(recs))
}

// values makes n records on topic with values prefix0000.. and keys
// cycling through keys distinct ones.
func values(topic, prefix string, n, keys int) []*transport.Record {
	recs := make([]*transport.Record, n)
	for i := range recs {
		recs[i] = &transport.Record{
			Topic: topic,
			Key:   fmt.Appendf(nil, "k%d", i%keys),
			Value: fmt.Appendf(nil, "%s%04d", prefix, i),
		}
	}
	return recs
}

// consume polls c until until says stop (given everything received so
// far) or the case's deadline passes.
func (e *env) consume(c transport.Consumer, until func([]*transport.Record) bool) []*transport.Record {
	e.t.Helper()
	var got []*transport.Record
	for !until(got) {
		recs, err := c.Poll(e.ctx)
		if err != nil {
			e.t.Fatalf("Poll after %d records: %v", len(got), err)
		}
		got = append(got, recs...)
	}
	return got
}

// atLeast is an until for consume: stop at n records.
func atLeast(n int) func([]*transport.Record) bool {
	return func(got []*transport.Record) bool { return len(got) >= n }
}

// exactlyOnce fails unless got holds each of want's values once.
func exactlyOnce(t *testing.T, got []*transport.Record, want []*transport.Record) {
	t.Helper()
	seen := make(map[string]int, len(got))
	for _, r := range got {
		seen[string(r.Value)]++
	}
	for _, r := range want {
		switch n := seen[string(r.Value)]; n {
		case 1:
		case 0:
			t.Errorf("record %q lost", r.Value)
		default:
			t.Errorf("record %q delivered %d times", r.Value, n)
		}
		delete(seen, string(r.Value))
	}
	for v := range seen {
		t.Errorf("unexpected record %q", v)
	}
}

// waitFor polls cond (cheap, in memory) until it holds or ctx ends.
// Used only for state that other goroutines advance, never as a
// substitute for a broker answer.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}
