package pulsar

import (
	"context"
	"sync"

	"github.com/apache/pulsar-client-go/pulsar"

	"github.com/intelstream/intelstream/transport"
)

// producer keeps one Pulsar producer per topic; MaxBuffered bounds the
// records sent and not yet acknowledged over all of them.
type producer struct {
	t     *Transport
	slots chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	closed bool
	topics map[string]pulsar.Producer
}

// NewProducer implements transport.Transport.
func (t *Transport) NewProducer(opts transport.ProducerOptions) (transport.Producer, error) {
	if t.client == nil {
		return nil, errNoClient
	}
	n := opts.MaxBuffered
	if n <= 0 {
		n = defaultMaxBuffered
	}
	return &producer{t: t, slots: make(chan struct{}, n), topics: map[string]pulsar.Producer{}}, nil
}

func (p *producer) get(topic string) (pulsar.Producer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, transport.ErrClosed
	}
	if pr, ok := p.topics[topic]; ok {
		return pr, nil
	}
	name, err := p.t.topic(topic)
	if err != nil {
		return nil, err
	}
	pr, err := p.t.client.CreateProducer(pulsar.ProducerOptions{Topic: name, MaxPendingMessages: cap(p.slots)})
	if err != nil {
		return nil, err
	}
	p.topics[topic] = pr
	return pr, nil
}

// Produce implements transport.Producer.
func (p *producer) Produce(ctx context.Context, r *transport.Record, done func(*transport.Record, error)) {
	if done == nil {
		done = func(*transport.Record, error) {}
	}
	pr, err := p.get(r.Topic)
	if err != nil {
		done(r, err)
		return
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		done(r, ctx.Err())
		return
	}
	p.wg.Add(1)
	pr.SendAsync(ctx, message(r), func(id pulsar.MessageID, _ *pulsar.ProducerMessage, err error) {
		defer p.wg.Done()
		if err == nil {
			r.Partition, r.Offset = max(id.PartitionIdx(), 0), id.EntryID()
		}
		done(r, err)
		<-p.slots
	})
}

// Flush implements transport.Producer.
func (p *producer) Flush(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return transport.ErrClosed
	}
	prs := make([]pulsar.Producer, 0, len(p.topics))
	for _, pr := range p.topics {
		prs = append(prs, pr)
	}
	p.mu.Unlock()
	for _, pr := range prs {
		if err := pr.FlushWithCtx(ctx); err != nil {
			return err
		}
	}
	idle := make(chan struct{})
	go func() { p.wg.Wait(); close(idle) }()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close implements transport.Producer.
func (p *producer) Close() error {
	if err := p.Flush(context.Background()); err == transport.ErrClosed {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, pr := range p.topics {
		pr.Close()
	}
	return nil
}

// consumer is a member of a subscription.
type consumer struct {
	c   pulsar.Consumer
	max int

	pollMu sync.Mutex

	mu       sync.Mutex
	paused   map[string]bool
	held     []pulsar.ConsumerMessage
	inflight map[int64]pulsar.Message
	seq      int64
	names    map[string]string // Pulsar topic → ours
	closed   chan struct{}
	once     sync.Once
}

// NewConsumer implements transport.Transport.
func (t *Transport) NewConsumer(opts transport.ConsumerOptions) (transport.Consumer, error) {
	if t.client == nil {
		return nil, errNoClient
	}
	co, err := t.consumerOptions(opts)
	if err != nil {
		return nil, err
	}
	c := &consumer{max: max(opts.MaxPollRecords, 0), paused: map[string]bool{}, inflight: map[int64]pulsar.Message{}, names: map[string]string{}, closed: make(chan struct{})}
	if c.max == 0 {
		c.max = defaultMaxPoll
	}
	for i, name := range co.Topics {
		c.names[name] = opts.Topics[i]
	}
	if c.c, err = t.client.Subscribe(co); err != nil {
		return nil, err
	}
	if opts.OnAssigned != nil {
		for _, topic := range opts.Topics {
			opts.OnAssigned(topic, []int32{0})
		}
	}
	return c, nil
}

// ours returns our topic name of a (possibly partition's) Pulsar topic.
func (c *consumer) ours(pt string) string {
	for name, topic := range c.names {
		if pt == name || len(pt) > len(name) && pt[:len(name)] == name && pt[len(name)] == '-' {
			return topic
		}
	}
	return pt
}

func (c *consumer) record(m pulsar.Message) *transport.Record {
	r := &transport.Record{Topic: c.ours(m.Topic()), Value: m.Payload(), Offset: c.seq, Timestamp: m.EventTime()}
	if m.Key() != "" {
		r.Key = []byte(m.Key())
	}
	r.Headers, _ = headers(m.Properties())
	c.inflight[c.seq] = m
	c.seq++
	return r
}

// Poll implements transport.Consumer.
func (c *consumer) Poll(ctx context.Context) ([]*transport.Record, error) {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	for {
		c.mu.Lock()
		var recs []*transport.Record
		keep := c.held[:0]
		for _, m := range c.held {
			if len(recs) < c.max && !c.paused[c.ours(m.Topic())] {
				recs = append(recs, c.record(m.Message))
			} else {
				keep = append(keep, m)
			}
		}
		c.held = keep
		c.mu.Unlock()
		if len(recs) > 0 {
			return recs, nil
		}
		select {
		case <-c.closed:
			return nil, transport.ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		case m := <-c.c.Chan():
			c.mu.Lock()
			c.held = append(c.held, m)
		more:
			for len(c.held) < c.max {
				select {
				case m := <-c.c.Chan():
					c.held = append(c.held, m)
				default:
					break more
				}
			}
			c.mu.Unlock()
		}
	}
}

// Commit implements transport.Consumer: it acknowledges exactly the
// records given.
func (c *consumer) Commit(_ context.Context, records []*transport.Record) error {
	select {
	case <-c.closed:
		return transport.ErrClosed
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range records {
		m, ok := c.inflight[r.Offset]
		if !ok {
			continue
		}
		if err := c.c.Ack(m); err != nil {
			return err
		}
		delete(c.inflight, r.Offset)
	}
	return nil
}

// Pause implements transport.Consumer.
func (c *consumer) Pause(topics ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range topics {
		c.paused[t] = true
	}
}

// Resume implements transport.Consumer.
func (c *consumer) Resume(topics ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range topics {
		delete(c.paused, t)
	}
}

// Close implements transport.Consumer: unacknowledged messages go to the
// subscription's other members, or come again to the next one.
func (c *consumer) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.pollMu.Lock()
		defer c.pollMu.Unlock()
		c.c.Close()
	})
	return nil
}
