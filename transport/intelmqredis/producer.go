package intelmqredis

import (
	"context"
	"sync"

	"github.com/intelstream/intelstream/transport"
)

const defaultMaxBuffered = 1024

// maxPipeline bounds the pushes sent to Redis in one round trip.
const maxPipeline = 256

// pending is a record on its way, or (flush non-nil) a Flush marker.
type pending struct {
	r     *transport.Record
	msg   []byte
	done  func(*transport.Record, error)
	flush chan struct{}
}

// producer pushes records from one goroutine, in the order Produce
// returned, so records keep their order on each queue; pushes are
// pipelined, up to maxPipeline per round trip.
type producer struct {
	t     *Transport
	slots chan struct{} // one per outstanding record: MaxBuffered
	in    chan pending

	mu     sync.RWMutex
	closed bool
	stop   chan struct{}
	exited chan struct{}
}

// NewProducer implements transport.Transport.
func (t *Transport) NewProducer(opts transport.ProducerOptions) (transport.Producer, error) {
	n := opts.MaxBuffered
	if n <= 0 {
		n = defaultMaxBuffered
	}
	p := &producer{t: t, slots: make(chan struct{}, n), in: make(chan pending, n+1), stop: make(chan struct{}), exited: make(chan struct{})}
	go p.loop()
	return p, nil
}

// Produce implements transport.Producer. Keys, headers and the timestamp
// are not stored (a queue holds only the message); the acknowledged
// record has partition 0 and offset 0.
func (p *producer) Produce(ctx context.Context, r *transport.Record, done func(*transport.Record, error)) {
	if done == nil {
		done = func(*transport.Record, error) {}
	}
	p.mu.RLock()
	closed := p.closed
	p.mu.RUnlock()
	if closed {
		done(r, transport.ErrClosed)
		return
	}
	if err := checkTopic(r.Topic); err != nil {
		done(r, err)
		return
	}
	msg := r.Value
	if p.t.codec != nil {
		var err error
		if msg, err = p.t.codec.ToQueue(ctx, r.Topic, r.Value); err != nil {
			done(r, err)
			return
		}
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		done(r, ctx.Err())
		return
	case <-p.stop:
		done(r, transport.ErrClosed)
		return
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		<-p.slots
		done(r, transport.ErrClosed)
		return
	}
	p.in <- pending{r: r, msg: msg, done: done}
}

// loop sends what Produce queued, a pipeline at a time, and acknowledges
// in order.
func (p *producer) loop() {
	defer close(p.exited)
	batch := make([]pending, 0, maxPipeline)
	for {
		var first pending
		select {
		case first = <-p.in:
		case <-p.stop:
			return
		}
		batch = append(batch[:0], first)
	gather:
		for len(batch) < maxPipeline && batch[len(batch)-1].flush == nil {
			select {
			case x := <-p.in:
				batch = append(batch, x)
			default:
				break gather
			}
		}
		p.send(batch)
	}
}

func (p *producer) send(batch []pending) {
	pipe := p.t.client.Pipeline()
	n := 0
	for _, x := range batch {
		if x.flush == nil {
			for _, q := range p.t.destinations(x.r.Topic) {
				pipe.LPush(context.Background(), q, x.msg)
				n++
			}
		}
	}
	var err error
	if n > 0 {
		_, err = pipe.Exec(context.Background())
	}
	for _, x := range batch {
		if x.flush != nil {
			close(x.flush)
			continue
		}
		if err == nil {
			x.r.Partition, x.r.Offset = 0, 0
		}
		x.done(x.r, err)
		<-p.slots
	}
}

// Flush implements transport.Producer.
func (p *producer) Flush(ctx context.Context) error {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return transport.ErrClosed
	}
	marker := make(chan struct{})
	p.in <- pending{flush: marker}
	p.mu.RUnlock()
	select {
	case <-marker:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close implements transport.Producer: it waits for every record produced
// before it.
func (p *producer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	marker := make(chan struct{})
	p.in <- pending{flush: marker}
	p.closed = true
	p.mu.Unlock()
	<-marker
	close(p.stop)
	<-p.exited
	return nil
}
