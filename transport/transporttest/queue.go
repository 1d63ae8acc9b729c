package transporttest

import (
	"context"
	"sync"

	"github.com/intelstream/intelstream/transport"
)

// testGroupCompetes (queues): two live members of one group take records
// from one queue, each record to one of them; then a member that
// acknowledges only some of what it took (not a prefix) and leaves hands
// exactly the rest to the other member.
func testGroupCompetes(e *env, _ Features) {
	const n = 300
	topic := e.topic(1)
	group := name(e.t, "group")
	p := e.producer(transport.ProducerOptions{})
	a := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}, MaxPollRecords: 10})
	b := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}, MaxPollRecords: 10})

	// Both members polling at once: every record once, to either.
	var (
		mu  sync.Mutex
		got = map[transport.Consumer][]*transport.Record{}
		wg  sync.WaitGroup
	)
	ctx, stop := context.WithCancel(e.ctx)
	for _, c := range []transport.Consumer{a, b} {
		wg.Go(func() {
			for {
				recs, err := c.Poll(ctx)
				mu.Lock()
				got[c] = append(got[c], recs...)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	all := values(topic, "live", n, 1)
	e.produce(p, all...)
	waitFor(e.ctx, e.t, "every record at one of the members", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got[a])+len(got[b]) >= n
	})
	stop()
	wg.Wait()
	exactlyOnce(e.t, append(append([]*transport.Record(nil), got[a]...), got[b]...), all)
	for _, c := range []transport.Consumer{a, b} {
		if err := c.Commit(e.ctx, got[c]); err != nil {
			e.t.Fatalf("Commit: %v", err)
		}
	}

	// b takes some, acknowledges every other one and leaves: a gets
	// exactly the others and the records b never took.
	more := values(topic, "more", 50, 1)
	e.produce(p, more...)
	taken := e.consume(b, atLeast(1))
	var acked []*transport.Record
	done := map[string]bool{}
	for i, r := range taken {
		if i%2 == 0 {
			acked = append(acked, r)
			done[string(r.Value)] = true
		}
	}
	if err := b.Commit(e.ctx, acked); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	if err := b.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	var want []*transport.Record
	for _, r := range more {
		if !done[string(r.Value)] {
			want = append(want, r)
		}
	}
	exactlyOnce(e.t, e.consume(a, atLeast(len(want))), want)
}
