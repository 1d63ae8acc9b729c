package amqp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/transport"
)

const defaultMaxBuffered = 1024

// sent is a published record waiting for its confirm, or (flush non-nil)
// a Flush marker.
type sent struct {
	r     *transport.Record
	seq   int64
	dc    *amqp091.DeferredConfirmation
	err   error
	done  func(*transport.Record, error)
	flush chan struct{}
}

// producer publishes on one confirm-mode channel; Produce publishes (the
// channel serializes), one goroutine waits for the confirms in publish
// order and acknowledges.
type producer struct {
	t       *Transport
	ch      *amqp091.Channel
	slots   chan struct{}
	waiting chan sent
	returns chan amqp091.Return
	exited  chan struct{}

	mu       sync.Mutex // publish order = waiting order
	closed   bool
	seq      int64
	declared map[string]bool

	rmu      sync.Mutex
	returned map[int64]string
}

// NewProducer implements transport.Transport.
func (t *Transport) NewProducer(opts transport.ProducerOptions) (transport.Producer, error) {
	ch, err := t.channel()
	if err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("amqp transport: confirm mode: %w", err)
	}
	n := opts.MaxBuffered
	if n <= 0 {
		n = defaultMaxBuffered
	}
	p := &producer{
		t: t, ch: ch, slots: make(chan struct{}, n), waiting: make(chan sent, n+16),
		returns: ch.NotifyReturn(make(chan amqp091.Return, n)), exited: make(chan struct{}),
		declared: map[string]bool{}, returned: map[int64]string{},
	}
	go p.confirms()
	return p, nil
}

// Produce implements transport.Producer.
func (p *producer) Produce(ctx context.Context, r *transport.Record, done func(*transport.Record, error)) {
	if done == nil {
		done = func(*transport.Record, error) {}
	}
	if p.isClosed() {
		done(r, transport.ErrClosed)
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
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		<-p.slots
		done(r, transport.ErrClosed)
		return
	}
	queue := p.t.Queue(r.Topic)
	s := sent{r: r, done: done, seq: p.seq}
	p.seq++
	if p.t.exchange == "" && !p.declared[queue] {
		if s.err = p.t.declare(p.ch, queue); s.err == nil {
			p.declared[queue] = true
		}
	}
	if s.err == nil {
		s.dc, s.err = p.ch.PublishWithDeferredConfirmWithContext(ctx, p.t.exchange, queue, true, false, publishing(r, msg, s.seq))
	}
	p.waiting <- s
}

// confirms acknowledges published records in order, as their confirms
// arrive; a message the broker returned (unroutable) fails.
func (p *producer) confirms() {
	defer close(p.exited)
	for s := range p.waiting {
		if s.flush != nil {
			close(s.flush)
			continue
		}
		err := s.err
		if err == nil {
			<-s.dc.Done()
			// The broker sends a return before the confirm of the
			// same message, and the client hands it over first.
			p.drainReturns()
			if !s.dc.Acked() {
				err = errors.New("amqp transport: the broker refused the message (nack)")
			} else if reason, ok := p.takeReturned(s.seq); ok {
				err = fmt.Errorf("amqp transport: queue %s: message returned: %s", p.t.Queue(s.r.Topic), reason)
			}
		}
		if err == nil {
			s.r.Partition, s.r.Offset = 0, 0
		}
		s.done(s.r, err)
		<-p.slots
	}
}

func (p *producer) drainReturns() {
	for {
		select {
		case ret, ok := <-p.returns:
			if !ok {
				return
			}
			if seq, ok := ret.Headers[seqHeader].(int64); ok {
				p.rmu.Lock()
				p.returned[seq] = ret.ReplyText
				p.rmu.Unlock()
			}
		default:
			return
		}
	}
}

func (p *producer) takeReturned(seq int64) (string, bool) {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	reason, ok := p.returned[seq]
	delete(p.returned, seq)
	return reason, ok
}

func (p *producer) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Flush implements transport.Producer.
func (p *producer) Flush(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return transport.ErrClosed
	}
	marker := make(chan struct{})
	p.waiting <- sent{flush: marker}
	p.mu.Unlock()
	select {
	case <-marker:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close implements transport.Producer: it waits for the confirms of what
// was produced, then closes the channel.
func (p *producer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.waiting)
	p.mu.Unlock()
	<-p.exited
	if err := p.ch.Close(); err != nil && !errors.Is(err, amqp091.ErrClosed) {
		return err
	}
	return nil
}
