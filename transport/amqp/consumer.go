package amqp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/intelmqjson"
)

const defaultMaxPoll = 500

// delivery is a message from one consumption (generation) of a topic.
type delivery struct {
	topic string
	gen   int
	d     amqp091.Delivery
}

type consumer struct {
	t      *Transport
	ch     *amqp091.Channel
	group  string
	max    int
	topics []string
	in     chan delivery
	chErr  chan *amqp091.Error

	pollMu sync.Mutex

	mu       sync.Mutex
	gen      map[string]int
	tags     map[string]string // topic → consumer tag while consuming
	paused   map[string]bool
	inflight map[int64]uint64 // offset → delivery tag
	seq      int64

	closed    chan struct{}
	closeOnce sync.Once
}

// NewConsumer implements transport.Transport.
func (t *Transport) NewConsumer(opts transport.ConsumerOptions) (transport.Consumer, error) {
	if opts.Group == "" || len(opts.Topics) == 0 {
		return nil, errors.New("amqp transport: a consumer needs a group and a topic")
	}
	ch, err := t.channel()
	if err != nil {
		return nil, err
	}
	c := &consumer{
		t: t, ch: ch, group: opts.Group, max: opts.MaxPollRecords, topics: opts.Topics,
		in: make(chan delivery), chErr: ch.NotifyClose(make(chan *amqp091.Error, 1)),
		gen: map[string]int{}, tags: map[string]string{}, paused: map[string]bool{}, inflight: map[int64]uint64{},
		closed: make(chan struct{}),
	}
	if c.max <= 0 {
		c.max = defaultMaxPoll
	}
	// The prefetch count bounds what the member holds unacknowledged.
	prefetch := t.prefetch
	if prefetch <= 0 {
		prefetch = max(8*c.max, 4000)
	}
	if err := ch.Qos(prefetch, 0, false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("amqp transport: prefetch: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, topic := range opts.Topics {
		if err := t.declare(ch, t.Queue(topic)); err != nil {
			ch.Close()
			return nil, err
		}
		if err := c.consume(topic); err != nil {
			ch.Close()
			return nil, err
		}
	}
	if opts.OnAssigned != nil {
		for _, topic := range opts.Topics {
			opts.OnAssigned(topic, []int32{0})
		}
	}
	return c, nil
}

// consume starts consuming topic's queue as a new generation; c.mu held.
func (c *consumer) consume(topic string) error {
	c.gen[topic]++
	gen := c.gen[topic]
	tag := fmt.Sprintf("%s/%s/%d", c.group, topic, gen)
	ds, err := c.ch.Consume(c.t.Queue(topic), tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("amqp transport: consuming %s: %w", c.t.Queue(topic), err)
	}
	c.tags[topic] = tag
	go func() {
		for d := range ds {
			select {
			case c.in <- delivery{topic: topic, gen: gen, d: d}:
			case <-c.closed:
				return
			}
		}
	}()
	return nil
}

// current reports whether a delivery may be returned: its topic is not
// paused and it comes from the topic's current consumption. A delivery
// that may not goes back to the queue. c.mu held.
func (c *consumer) current(d delivery) bool {
	if c.paused[d.topic] || c.gen[d.topic] != d.gen {
		_ = d.d.Nack(false, true)
		return false
	}
	return true
}

func (c *consumer) record(d delivery) *transport.Record {
	r := &transport.Record{Topic: d.topic, Value: d.d.Body, Offset: c.seq}
	c.inflight[c.seq] = d.d.DeliveryTag
	c.seq++
	if err := fromDelivery(r, &d.d); err != nil {
		r.Headers = append(r.Headers, transport.Header{Key: intelmqjson.ErrorHeader, Value: []byte(err.Error())})
	}
	if c.t.codec != nil {
		v, err := c.t.codec.FromQueue(context.Background(), d.topic, r.Value)
		if err != nil {
			c.t.log.Warn("amqp transport: message not converted; delivered as it is", "queue", c.t.Queue(d.topic), "err", err)
			r.Headers = append(r.Headers, transport.Header{Key: intelmqjson.ErrorHeader, Value: []byte(err.Error())})
		} else {
			r.Value = v
		}
	}
	return r
}

// Poll implements transport.Consumer.
func (c *consumer) Poll(ctx context.Context) ([]*transport.Record, error) {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	for {
		select {
		case <-c.closed:
			return nil, transport.ErrClosed
		default:
		}
		var first delivery
		select {
		case first = <-c.in:
		case <-c.closed:
			return nil, transport.ErrClosed
		case err := <-c.chErr:
			c.chErr = nil // a closed channel's notification comes once
			return nil, fmt.Errorf("amqp transport: channel closed: %v", err)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		c.mu.Lock()
		var recs []*transport.Record
		if c.current(first) {
			recs = append(recs, c.record(first))
		}
	more:
		for len(recs) < c.max {
			select {
			case d := <-c.in:
				if c.current(d) {
					recs = append(recs, c.record(d))
				}
			default:
				break more
			}
		}
		c.mu.Unlock()
		if len(recs) > 0 {
			return recs, nil
		}
	}
}

// Commit implements transport.Consumer: it acknowledges exactly the
// records given. Records this consumer did not take, or acknowledged
// already, are skipped.
func (c *consumer) Commit(_ context.Context, records []*transport.Record) error {
	select {
	case <-c.closed:
		return transport.ErrClosed
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range records {
		tag, ok := c.inflight[r.Offset]
		if !ok {
			continue
		}
		if err := c.ch.Ack(tag, false); err != nil {
			return fmt.Errorf("amqp transport: acknowledging: %w", err)
		}
		delete(c.inflight, r.Offset)
	}
	return nil
}

// Pause implements transport.Consumer: it cancels the consumption of the
// topics; what was delivered and not yet polled goes back to the queue.
func (c *consumer) Pause(topics ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range topics {
		if c.paused[t] {
			continue
		}
		c.paused[t] = true
		if tag, ok := c.tags[t]; ok {
			if err := c.ch.Cancel(tag, false); err != nil {
				c.t.log.Warn("amqp transport: cancelling a consumer", "topic", t, "err", err)
			}
			delete(c.tags, t)
		}
	}
}

// Resume implements transport.Consumer.
func (c *consumer) Resume(topics ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range topics {
		if !c.paused[t] {
			continue
		}
		delete(c.paused, t)
		if err := c.consume(t); err != nil {
			c.t.log.Warn("amqp transport: resuming", "topic", t, "err", err)
		}
	}
}

// Close implements transport.Consumer: closing the channel hands every
// unacknowledged message back to the queue.
func (c *consumer) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.closed)
		c.pollMu.Lock()
		defer c.pollMu.Unlock()
		if e := c.ch.Close(); e != nil && !errors.Is(e, amqp091.ErrClosed) {
			err = e
		}
	})
	return err
}
