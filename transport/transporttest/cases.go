package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intelstream/intelstream/transport"
)

// testProduceConsume: N records, every acknowledgement succeeds, one
// consumer gets each record once, in offset order per partition.
func testProduceConsume(e *env, _ Features) {
	const n = 1000
	topic := e.topic(e.partitions)
	p := e.producer(transport.ProducerOptions{ID: "p"})
	want := values(topic, "v", n, 10)
	var a acks
	for _, r := range want {
		p.Produce(e.ctx, r, a.done)
	}
	if err := p.Flush(e.ctx); err != nil {
		e.t.Fatalf("Flush: %v", err)
	}
	a.check(e.t, n)
	for _, r := range want {
		if r.Partition < 0 || r.Partition >= e.partitions {
			e.t.Fatalf("acknowledged record %q in partition %d of %d", r.Value, r.Partition, e.partitions)
		}
	}

	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})
	got := e.consume(c, atLeast(n))
	exactlyOnce(e.t, got, want)
	last := map[int32]int64{}
	for _, r := range got {
		if r.Topic != topic {
			e.t.Fatalf("record %q from topic %q, want %q", r.Value, r.Topic, topic)
		}
		if prev, ok := last[r.Partition]; ok && r.Offset <= prev {
			e.t.Fatalf("partition %d: offset %d after %d", r.Partition, r.Offset, prev)
		}
		last[r.Partition] = r.Offset
	}
	if err := c.Commit(e.ctx, got); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
}

// testOrderPerKey: several keys interleaved; each key's values arrive
// in the order produced.
func testOrderPerKey(e *env, f Features) {
	const keys, per = 8, 100
	topic := e.topic(e.partitions)
	p := e.producer(transport.ProducerOptions{})
	var recs []*transport.Record
	for i := range per {
		for k := range keys {
			recs = append(recs, &transport.Record{
				Topic: topic,
				Key:   fmt.Appendf(nil, "key-%d", k),
				Value: fmt.Appendf(nil, "key-%d/%d", k, i),
			})
		}
	}
	e.produce(p, recs...)

	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})
	got := e.consume(c, atLeast(len(recs)))
	next := map[string]int{}
	for _, r := range got {
		// The value names its key too, for transports without keys.
		k, seq, _ := strings.Cut(string(r.Value), "/")
		if !f.NoKeys && string(r.Key) != k {
			e.t.Fatalf("record %q has key %q", r.Value, r.Key)
		}
		if want := fmt.Sprint(next[k]); seq != want {
			e.t.Fatalf("key %s: value %s, want %s", k, seq, want)
		}
		next[k]++
	}
	for k := range keys {
		if n := next[fmt.Sprintf("key-%d", k)]; n != per {
			e.t.Errorf("key-%d: %d values, want %d", k, n, per)
		}
	}
}

// testKeysHeadersBytes: keys, values and (with Headers) headers come
// back byte for byte, including zero bytes, invalid UTF-8, empty
// values and repeated header keys in order; with Timestamps, the
// timestamp too.
func testKeysHeadersBytes(e *env, f Features) {
	topic := e.topic(1)
	ts := time.Date(2021, 3, 4, 5, 6, 7, 8_000_000, time.UTC)
	var want []*transport.Record
	for i := range 20 {
		r := &transport.Record{
			Topic: topic,
			Key:   []byte{0x00, 0xff, 0xfe, byte(i), 0x00},
			Value: bytes.Repeat([]byte{byte(i), 0x00, 0x80}, i), // i == 0: empty
		}
		if f.Headers {
			r.Headers = []transport.Header{
				{Key: "id", Value: []byte{byte(i)}},
				{Key: "bin", Value: []byte{0x00, 0xc3, 0x28, 0xff}},
				{Key: "empty", Value: []byte{}},
				{Key: "id", Value: []byte("second")},
				{Key: "ünï", Value: []byte("ç")},
			}
		}
		if f.Timestamps {
			r.Timestamp = ts.Add(time.Duration(i) * time.Millisecond)
		}
		want = append(want, r)
	}
	want = append(want, &transport.Record{Topic: topic, Key: nil, Value: []byte("no key")})
	p := e.producer(transport.ProducerOptions{})
	// Produce copies: the producer may set fields on what it is given.
	var in []*transport.Record
	for _, r := range want {
		cp := *r
		in = append(in, &cp)
	}
	e.produce(p, in...)

	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})
	got := e.consume(c, atLeast(len(want)))
	for i, w := range want {
		g := got[i]
		if f.NoKeys && len(g.Key) > 0 {
			e.t.Errorf("record %d: key %x from a transport without keys", i, g.Key)
		}
		if !bytes.Equal(g.Value, w.Value) || (!f.NoKeys && !bytes.Equal(g.Key, w.Key)) {
			e.t.Errorf("record %d: key %x value %x, want key %x value %x", i, g.Key, g.Value, w.Key, w.Value)
		}
		if f.Headers && !slices.EqualFunc(g.Headers, w.Headers, func(a, b transport.Header) bool {
			return a.Key == b.Key && bytes.Equal(a.Value, b.Value)
		}) {
			e.t.Errorf("record %d: headers %q, want %q", i, g.Headers, w.Headers)
		}
		if f.Timestamps && !w.Timestamp.IsZero() && !g.Timestamp.Equal(w.Timestamp) {
			e.t.Errorf("record %d: timestamp %v, want %v", i, g.Timestamp, w.Timestamp)
		}
	}
	if h, ok := got[0].Header("id"); f.Headers && (!ok || !bytes.Equal(h, []byte{0})) {
		e.t.Errorf("Header(id) = %x, %v; want the first one, 00", h, ok)
	}
}

// commitPrefix commits the first half of recs (a prefix of each
// partition, since a partition's records come in order) and returns
// the next offset per partition.
func commitPrefix(e *env, c transport.Consumer, recs []*transport.Record) map[int32]int64 {
	e.t.Helper()
	done := recs[:len(recs)/2]
	if err := c.Commit(e.ctx, done); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	next := map[int32]int64{}
	for _, r := range done {
		next[r.Partition] = max(next[r.Partition], r.Offset+1)
	}
	return next
}

// testAtLeastOnceAcrossRestart: a member consumes, commits part of
// what it got and leaves; the next member of the group gets exactly
// the uncommitted rest: nothing committed again, nothing lost.
func testAtLeastOnceAcrossRestart(e *env, f Features) {
	const n = 200
	topic := e.topic(e.partitions)
	all := values(topic, "v", n, 16)
	e.produce(e.producer(transport.ProducerOptions{}), all...)

	group := name(e.t, "group")
	c1 := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}, MaxPollRecords: 10})
	first := e.consume(c1, atLeast(n/2))
	next := commitPrefix(e, c1, first)
	if err := c1.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}

	// committed says whether a record was committed by c1: by offset on
	// a log, by value on a queue (whose offsets are the consumer's own).
	done := map[string]bool{}
	for _, r := range first[:len(first)/2] {
		done[string(r.Value)] = true
	}
	committed := func(r *transport.Record) bool {
		if f.Queue {
			return done[string(r.Value)]
		}
		return r.Offset < next[r.Partition]
	}
	var want []*transport.Record
	for _, r := range all {
		if !committed(r) {
			want = append(want, r)
		}
	}
	c2 := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}})
	got := e.consume(c2, atLeast(len(want)))
	for _, r := range got {
		if committed(r) {
			e.t.Fatalf("committed record %q (partition %d offset %d) delivered again", r.Value, r.Partition, r.Offset)
		}
	}
	exactlyOnce(e.t, got, want)
}

// testNoLossWithoutCommit: a member that consumed but never committed
// leaves (as after a crash before commit); the next member gets every
// record.
func testNoLossWithoutCommit(e *env, _ Features) {
	const n = 100
	topic := e.topic(e.partitions)
	all := values(topic, "v", n, 7)
	e.produce(e.producer(transport.ProducerOptions{}), all...)

	group := name(e.t, "group")
	c1 := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}, MaxPollRecords: 10})
	e.consume(c1, atLeast(1))
	if err := c1.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	c2 := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}})
	exactlyOnce(e.t, e.consume(c2, atLeast(n)), all)
}

// member is one consumer of a group with its current assignment.
type member struct {
	mu       sync.Mutex
	assigned map[int32]bool
	got      []*transport.Record
}

func (m *member) options(group, topic string) transport.ConsumerOptions {
	m.assigned = map[int32]bool{}
	return transport.ConsumerOptions{
		Group: group, Topics: []string{topic},
		OnAssigned: func(_ string, ps []int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range ps {
				m.assigned[p] = true
			}
		},
		OnRevoked: func(_ string, ps []int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range ps {
				delete(m.assigned, p)
			}
		},
	}
}

// testGroupSharesPartitions: two members of one group, once the group
// is settled, split the partitions and together get every record once,
// each only from its own partitions.
func testGroupSharesPartitions(e *env, _ Features) {
	const parts, n = 4, 400
	topic := e.topic(parts)
	group := name(e.t, "group")
	members := []*member{{}, {}}
	var wg sync.WaitGroup
	ctx, stop := context.WithCancel(e.ctx)
	defer func() { stop(); wg.Wait() }()
	for _, m := range members {
		c := e.consumer(m.options(group, topic))
		wg.Go(func() {
			for {
				recs, err := c.Poll(ctx)
				if err != nil {
					return
				}
				m.mu.Lock()
				for _, r := range recs {
					if !m.assigned[r.Partition] {
						e.t.Errorf("record from partition %d, not assigned to the member", r.Partition)
					}
				}
				m.got = append(m.got, recs...)
				m.mu.Unlock()
			}
		})
	}
	waitFor(e.ctx, e.t, "both members assigned, every partition once", func() bool {
		count := 0
		for _, m := range members {
			m.mu.Lock()
			k := len(m.assigned)
			m.mu.Unlock()
			if k == 0 {
				return false
			}
			count += k
		}
		return count == parts // disjoint when they add up: each has distinct keys
	})

	all := values(topic, "v", n, n)
	e.produce(e.producer(transport.ProducerOptions{}), all...)
	var got []*transport.Record
	waitFor(e.ctx, e.t, "every record", func() bool {
		got = got[:0]
		for _, m := range members {
			m.mu.Lock()
			got = append(got, m.got...)
			m.mu.Unlock()
		}
		return len(got) >= n
	})
	exactlyOnce(e.t, got, all)
	for i, m := range members {
		m.mu.Lock()
		if len(m.got) == 0 {
			e.t.Errorf("member %d got nothing", i)
		}
		m.mu.Unlock()
	}
}

// testPauseResume: after Pause nothing of the topic is delivered, not
// even what was fetched before; after Resume everything is.
func testPauseResume(e *env, _ Features) {
	topic := e.topic(1)
	p := e.producer(transport.ProducerOptions{})
	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})
	before := values(topic, "before", 5, 1)
	e.produce(p, before...)
	exactlyOnce(e.t, e.consume(c, atLeast(len(before))), before)

	c.Pause(topic)
	during := values(topic, "during", 5, 1)
	e.produce(p, during...)
	// The one negative check: a paused topic delivers nothing in a
	// window in which an unpaused one would (its records are already
	// acknowledged by the broker).
	window, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	recs, err := c.Poll(window)
	cancel()
	if len(recs) > 0 {
		e.t.Fatalf("paused consumer delivered %d records (first %q)", len(recs), recs[0].Value)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		e.t.Fatalf("Poll while paused: %v, want the deadline", err)
	}

	c.Resume(topic)
	exactlyOnce(e.t, e.consume(c, atLeast(len(during))), during)
}

// testBackpressure: with MaxBuffered records unacknowledged, Produce
// blocks instead of buffering more. Outstanding records are counted at
// each return of Produce (returned minus acknowledgements begun).
func testBackpressure(e *env, _ Features) {
	const maxBuffered = 4
	topic := e.topic(1)

	// With acknowledgements held back: Produce stops at the bound.
	p := e.producer(transport.ProducerOptions{MaxBuffered: maxBuffered})
	release := make(chan struct{})
	var returned, acked, failed atomic.Int64
	var over atomic.Int64 // most outstanding seen
	done := func(_ *transport.Record, err error) {
		if acked.Add(1) == 1 {
			<-release // hold the first acknowledgement, and so all after it
		}
		if err != nil {
			failed.Add(1)
		}
	}
	const n = 10 * maxBuffered
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for _, r := range values(topic, "held", n, 1) {
			p.Produce(e.ctx, r, done)
			out := returned.Add(1) - acked.Load()
			for old := over.Load(); out > old && !over.CompareAndSwap(old, out); old = over.Load() {
			}
		}
	}()
	waitFor(e.ctx, e.t, "the first acknowledgement", func() bool { return acked.Load() >= 1 })
	waitFor(e.ctx, e.t, "MaxBuffered records accepted", func() bool { return returned.Load() >= maxBuffered })
	// A transport without the bound would now run through all n.
	window, cancel := context.WithTimeout(e.ctx, time.Second)
	<-window.Done()
	cancel()
	if r := returned.Load(); r > maxBuffered {
		e.t.Errorf("Produce accepted %d records while the first of them was unacknowledged; MaxBuffered is %d", r, maxBuffered)
	}
	close(release)
	select {
	case <-finished:
	case <-e.ctx.Done():
		e.t.Fatal("Produce still blocked after the acknowledgements resumed")
	}
	if err := p.Flush(e.ctx); err != nil {
		e.t.Fatalf("Flush: %v", err)
	}
	if o := over.Load(); o > maxBuffered {
		e.t.Errorf("%d records outstanding at once, MaxBuffered is %d", o, maxBuffered)
	}
	if f := failed.Load(); f > 0 {
		e.t.Errorf("%d records failed", f)
	}

	// Flowing: the bound holds at every return, nothing is lost.
	returned.Store(0)
	acked.Store(0)
	over.Store(0)
	p2 := e.producer(transport.ProducerOptions{MaxBuffered: maxBuffered})
	flowing := values(topic, "flowing", 500, 3)
	for _, r := range flowing {
		p2.Produce(e.ctx, r, func(_ *transport.Record, err error) {
			acked.Add(1)
			if err != nil {
				failed.Add(1)
			}
		})
		if out := returned.Add(1) - acked.Load(); out > over.Load() {
			over.Store(out)
		}
	}
	if err := p2.Flush(e.ctx); err != nil {
		e.t.Fatalf("Flush: %v", err)
	}
	if o := over.Load(); o > maxBuffered {
		e.t.Errorf("%d records outstanding at once, MaxBuffered is %d", o, maxBuffered)
	}
	if f := failed.Load(); f > 0 {
		e.t.Errorf("%d records failed", f)
	}
	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})
	want := append(values(topic, "held", n, 1), flowing...)
	exactlyOnce(e.t, e.consume(c, atLeast(len(want))), want)
}

// testCancelAndClose: Poll returns on cancel and on Close; closed
// producers and consumers answer transport.ErrClosed.
func testCancelAndClose(e *env, _ Features) {
	topic := e.topic(1)
	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})

	pollErr := func(ctx context.Context) <-chan error {
		ch := make(chan error, 1)
		go func() {
			recs, err := c.Poll(ctx)
			if len(recs) > 0 {
				err = fmt.Errorf("%d records from an empty topic", len(recs))
			}
			ch <- err
		}()
		return ch
	}
	// promptly: far less than the case's deadline, generous for a
	// loaded machine.
	const promptly = 20 * time.Second
	wait := func(ch <-chan error, what string) error {
		select {
		case err := <-ch:
			return err
		case <-time.After(promptly):
			e.t.Fatalf("Poll did not return within %v of %s", promptly, what)
			return nil
		}
	}

	ctx, cancel := context.WithCancel(e.ctx)
	ch := pollErr(ctx)
	cancel()
	if err := wait(ch, "cancel"); !errors.Is(err, context.Canceled) {
		e.t.Fatalf("Poll after cancel: %v, want context.Canceled", err)
	}

	ch = pollErr(e.ctx)
	if err := c.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	if err := wait(ch, "Close"); !errors.Is(err, transport.ErrClosed) {
		e.t.Fatalf("Poll during Close: %v, want ErrClosed", err)
	}
	if _, err := c.Poll(e.ctx); !errors.Is(err, transport.ErrClosed) {
		e.t.Fatalf("Poll after Close: %v, want ErrClosed", err)
	}
	if err := c.Commit(e.ctx, []*transport.Record{{Topic: topic}}); !errors.Is(err, transport.ErrClosed) {
		e.t.Fatalf("Commit after Close: %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		e.t.Fatalf("second Close: %v", err)
	}

	p := e.producer(transport.ProducerOptions{})
	e.produce(p, values(topic, "v", 3, 1)...)
	if err := p.Close(); err != nil {
		e.t.Fatalf("producer Close: %v", err)
	}
	errCh := make(chan error, 1)
	p.Produce(e.ctx, &transport.Record{Topic: topic, Value: []byte("late")}, func(_ *transport.Record, err error) { errCh <- err })
	select {
	case err := <-errCh:
		if !errors.Is(err, transport.ErrClosed) {
			e.t.Fatalf("Produce after Close: %v, want ErrClosed", err)
		}
	case <-e.ctx.Done():
		e.t.Fatal("Produce after Close: no acknowledgement")
	}
	if err := p.Flush(e.ctx); !errors.Is(err, transport.ErrClosed) {
		e.t.Fatalf("Flush after Close: %v, want ErrClosed", err)
	}
}

// testConcurrentProducers: goroutines producing at once, through one
// shared producer and through producers of their own, lose nothing.
func testConcurrentProducers(e *env, _ Features) {
	const goroutines, per = 8, 250
	topic := e.topic(e.partitions)
	shared := e.producer(transport.ProducerOptions{ID: "shared", MaxBuffered: 64})
	var a acks
	var want []*transport.Record
	var wg sync.WaitGroup
	for g := range goroutines {
		recs := values(topic, fmt.Sprintf("g%d-", g), per, 5)
		want = append(want, recs...)
		p := shared
		if g%2 == 1 {
			p = e.producer(transport.ProducerOptions{ID: fmt.Sprint("own", g)})
		}
		wg.Go(func() {
			for _, r := range recs {
				cp := *r
				p.Produce(e.ctx, &cp, a.done)
			}
			if err := p.Flush(e.ctx); err != nil {
				e.t.Errorf("Flush: %v", err)
			}
		})
	}
	wg.Wait()
	a.check(e.t, goroutines*per)
	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "group"), Topics: []string{topic}})
	exactlyOnce(e.t, e.consume(c, atLeast(len(want))), want)
}
