package kafka

import (
	"context"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

// producer is a transport.Producer on one idempotent kgo client.
type producer struct {
	t      *Transport
	cl     *kgo.Client
	closed atomic.Bool
}

// NewProducer returns an idempotent producer with acks=all. MaxBuffered
// maps to kgo.MaxBufferedRecords (kgo's default, 10000, when 0): Produce
// blocks while that many records are unacknowledged.
func (t *Transport) NewProducer(opts transport.ProducerOptions) (transport.Producer, error) {
	kopts := append(t.clientOpts(opts.ID), kgo.RequiredAcks(kgo.AllISRAcks()))
	if opts.MaxBuffered > 0 {
		kopts = append(kopts, kgo.MaxBufferedRecords(opts.MaxBuffered))
	}
	cl, err := kgo.NewClient(t.withUser(kopts)...)
	if err != nil {
		return nil, err
	}
	p := &producer{t: t, cl: cl}
	if err := t.track(p); err != nil {
		cl.Close()
		return nil, err
	}
	return p, nil
}

func (p *producer) Produce(ctx context.Context, r *transport.Record, done func(*transport.Record, error)) {
	if p.closed.Load() {
		if done != nil {
			done(r, transport.ErrClosed)
		}
		return
	}
	produce(ctx, p.cl, r, done)
}

// produce hands r to cl and reports the outcome on r.
func produce(ctx context.Context, cl *kgo.Client, r *transport.Record, done func(*transport.Record, error)) {
	if done == nil { // nobody looks: spare the closure
		cl.Produce(ctx, toKgo(r), nil)
		return
	}
	cl.Produce(ctx, toKgo(r), func(kr *kgo.Record, err error) {
		if err == nil {
			r.Partition, r.Offset = kr.Partition, kr.Offset
			if r.Timestamp.IsZero() {
				r.Timestamp = kr.Timestamp
			}
		}
		done(r, closedErr(err))
	})
}

func (p *producer) Flush(ctx context.Context) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	return closedErr(p.cl.Flush(ctx))
}

// Close flushes for at most the transport's CloseTimeout; records still
// outstanding then fail with transport.ErrClosed.
func (p *producer) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	defer p.t.untrack(p)
	ctx, cancel := context.WithTimeout(context.Background(), p.t.cfg.closeTimeout)
	defer cancel()
	err := p.cl.Flush(ctx)
	p.cl.Close()
	return err
}
