package intelmqredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/intelmqjson"
)

const defaultMaxPoll = 500

// maxSlots bounds the members of one group on one queue.
const maxSlots = 1024

// inflight is a message taken but not committed.
type inflight struct {
	internal string
	msg      string
}

// source is one consumed queue.
type source struct {
	topic, queue, internal string
}

type consumer struct {
	t       *Transport
	group   string
	max     int
	sources []source
	slot    int
	token   string

	pollMu sync.Mutex // one Poll at a time; Close waits for it

	mu       sync.Mutex
	paused   map[string]bool
	wake     chan struct{} // closed and replaced by Resume
	held     []*transport.Record
	inflight map[int64]inflight
	seq      int64
	next     int // source to try first (round robin)

	closed    chan struct{}
	closeOnce sync.Once
	renewed   chan struct{}
}

// renewScript extends a lease only while we hold it.
var renewScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)

// releaseScript deletes a lease only while we hold it.
var releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// NewConsumer implements transport.Transport: it claims the lowest free
// slot of the group's queues, hands back the internal lists of members
// whose lease expired, and will deliver what its own internal lists hold
// first.
func (t *Transport) NewConsumer(opts transport.ConsumerOptions) (transport.Consumer, error) {
	if opts.Group == "" {
		return nil, errors.New("intelmqredis: a consumer needs a group (the bot id)")
	}
	if len(opts.Topics) == 0 {
		return nil, errors.New("intelmqredis: a consumer needs a topic")
	}
	c := &consumer{
		t: t, group: opts.Group, max: opts.MaxPollRecords,
		paused: map[string]bool{}, wake: make(chan struct{}), inflight: map[int64]inflight{},
		closed: make(chan struct{}), renewed: make(chan struct{}),
	}
	if c.max <= 0 {
		c.max = defaultMaxPoll
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	c.token = hex.EncodeToString(b[:])
	for _, topic := range opts.Topics {
		if err := checkTopic(topic); err != nil {
			return nil, err
		}
		c.sources = append(c.sources, source{topic: topic, queue: t.Queue(topic)})
	}
	ctx := context.Background()
	if err := c.claim(ctx); err != nil {
		return nil, err
	}
	for _, s := range c.sources {
		if err := c.t.handBackOrphans(ctx, s.queue); err != nil {
			c.release()
			return nil, err
		}
		if err := c.recover(ctx, s); err != nil {
			c.release()
			return nil, err
		}
	}
	go c.renew()
	if opts.OnAssigned != nil {
		for _, s := range c.sources {
			opts.OnAssigned(s.topic, []int32{0})
		}
	}
	return c, nil
}

// claim takes the lowest slot whose leases on every source queue are free.
func (c *consumer) claim(ctx context.Context) error {
	for slot := range maxSlots {
		var got []string
		ok := true
		for _, s := range c.sources {
			key := leaseKey(InternalQueue(s.queue, slot))
			set, err := c.t.client.SetNX(ctx, key, c.token, c.t.lease).Result()
			if err != nil {
				c.releaseKeys(got)
				return fmt.Errorf("intelmqredis: claiming %s: %w", key, err)
			}
			if !set {
				ok = false
				break
			}
			got = append(got, key)
		}
		if ok {
			c.slot = slot
			for i := range c.sources {
				c.sources[i].internal = InternalQueue(c.sources[i].queue, slot)
			}
			return nil
		}
		c.releaseKeys(got)
	}
	return fmt.Errorf("intelmqredis: group %s: all %d slots are taken", c.group, maxSlots)
}

func (c *consumer) releaseKeys(keys []string) {
	for _, k := range keys {
		releaseScript.Run(context.Background(), c.t.client, []string{k}, c.token)
	}
}

func (c *consumer) release() {
	for _, s := range c.sources {
		c.releaseKeys([]string{leaseKey(s.internal)})
	}
}

// renew keeps the leases while the consumer lives.
func (c *consumer) renew() {
	defer close(c.renewed)
	tick := time.NewTicker(c.t.lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-tick.C:
		}
		for _, s := range c.sources {
			key := leaseKey(s.internal)
			n, err := renewScript.Run(context.Background(), c.t.client, []string{key}, c.token, c.t.lease.Milliseconds()).Int()
			if err != nil {
				c.t.log.Warn("intelmqredis: renewing a lease failed", "key", key, "err", err)
			} else if n == 0 {
				// Someone took the slot after our lease expired (a long
				// pause): at least once still holds, its messages may be
				// delivered twice.
				c.t.log.Warn("intelmqredis: lease lost; taking it again", "key", key)
				c.t.client.SetNX(context.Background(), key, c.token, c.t.lease)
			}
		}
	}
}

// handBackOrphans moves the messages of queue's internal lists that no
// live member holds back to the head of queue (where they are taken next).
func (t *Transport) handBackOrphans(ctx context.Context, queue string) error {
	candidates := []string{InternalQueue(queue, 0)}
	iter := t.client.Scan(ctx, 0, globEscape(queue)+"-internal-*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if _, err := strconv.Atoi(strings.TrimPrefix(k, queue+"-internal-")); err == nil {
			candidates = append(candidates, k)
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("intelmqredis: scanning internal lists of %s: %w", queue, err)
	}
	for _, internal := range candidates {
		n, err := t.client.Exists(ctx, leaseKey(internal)).Result()
		if err != nil {
			return fmt.Errorf("intelmqredis: %w", err)
		}
		if n > 0 {
			continue // a live member's, or our own
		}
		if moved, err := t.handBack(ctx, internal, queue); err != nil {
			return err
		} else if moved > 0 {
			t.log.Info("intelmqredis: handed back messages of a member that is gone", "internal", internal, "queue", queue, "messages", moved)
		}
	}
	return nil
}

func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace(s)
}

// handBack moves internal's messages to the consuming end of queue, the
// oldest last so that it is taken first: the queue's order is kept.
func (t *Transport) handBack(ctx context.Context, internal, queue string) (int, error) {
	n := 0
	for {
		err := t.client.LMove(ctx, internal, queue, "LEFT", "RIGHT").Err()
		if errors.Is(err, redis.Nil) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("intelmqredis: handing %s back to %s: %w", internal, queue, err)
		}
		n++
	}
}

// recover queues what the internal list holds (a predecessor's messages
// in progress) for delivery before anything new, oldest first.
func (c *consumer) recover(ctx context.Context, s source) error {
	msgs, err := c.t.client.LRange(ctx, s.internal, 0, -1).Result()
	if err != nil {
		return fmt.Errorf("intelmqredis: reading %s: %w", s.internal, err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		c.held = append(c.held, c.record(ctx, s, msgs[i]))
	}
	return nil
}

// record makes the record of a message taken from s, converting it with
// the codec; a message the codec refuses is delivered as it is, with the
// reason in a header, so that the runtime dead-letters it.
func (c *consumer) record(ctx context.Context, s source, msg string) *transport.Record {
	r := &transport.Record{Topic: s.topic, Value: []byte(msg), Offset: c.seq}
	c.inflight[c.seq] = inflight{internal: s.internal, msg: msg}
	c.seq++
	if c.t.codec != nil {
		v, err := c.t.codec.FromQueue(ctx, s.topic, r.Value)
		if err != nil {
			c.t.log.Warn("intelmqredis: message not converted; delivered as it is", "queue", s.queue, "err", err)
			r.Headers = []transport.Header{{Key: intelmqjson.ErrorHeader, Value: []byte(err.Error())}}
		} else {
			r.Value = v
		}
	}
	return r
}

func (c *consumer) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// Poll implements transport.Consumer.
func (c *consumer) Poll(ctx context.Context) ([]*transport.Record, error) {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	for {
		if c.isClosed() {
			return nil, transport.ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if recs := c.takeHeld(); len(recs) > 0 {
			return recs, nil
		}
		active, wake := c.active()
		if len(active) == 0 {
			select {
			case <-wake:
			case <-c.closed:
			case <-ctx.Done():
			}
			continue
		}
		recs, err := c.take(ctx, active)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		// Records of a topic paused meanwhile wait (in the internal
		// list, in Redis) for Resume.
		var out []*transport.Record
		for _, r := range recs {
			if c.paused[r.Topic] {
				c.held = append(c.held, r)
			} else {
				out = append(out, r)
			}
		}
		c.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
	}
}

// takeHeld returns held records of topics not paused, up to max.
func (c *consumer) takeHeld() []*transport.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out, keep []*transport.Record
	for _, r := range c.held {
		if len(out) < c.max && !c.paused[r.Topic] {
			out = append(out, r)
		} else {
			keep = append(keep, r)
		}
	}
	c.held = keep
	return out
}

func (c *consumer) active() ([]source, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []source
	for i := range c.sources {
		s := c.sources[(c.next+i)%len(c.sources)]
		if !c.paused[s.topic] {
			out = append(out, s)
		}
	}
	c.next++
	return out, c.wake
}

// take moves up to max messages from the active queues into their
// internal lists: what the queues hold now, without waiting, and when
// they are empty, a short blocking move on the first one. Redis calls run
// without the caller's context so that a cancellation cannot lose a reply
// (a message moved whose reply was dropped would wait in the internal list
// until Close); Poll checks the context between calls.
func (c *consumer) take(ctx context.Context, active []source) ([]*transport.Record, error) {
	recs, err := c.fill(ctx, active, c.max)
	if err != nil || len(recs) > 0 {
		return recs, err
	}
	// Redis takes whole seconds here (go-redis truncates): with several
	// queues, the others are looked at (fill) between the waits.
	wait := c.t.block
	s := active[0]
	msg, err := c.t.client.BLMove(context.Background(), s.queue, s.internal, "RIGHT", "LEFT", wait).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("intelmqredis: taking from %s: %w", s.queue, err)
	}
	c.mu.Lock()
	recs = []*transport.Record{c.record(ctx, s, msg)}
	c.mu.Unlock()
	more, err := c.fill(ctx, active, c.max-1)
	return append(recs, more...), err
}

// fill moves up to limit messages that the active queues hold now: their
// lengths in one round trip, the moves in a second.
func (c *consumer) fill(ctx context.Context, active []source, limit int) ([]*transport.Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	bg := context.Background()
	pipe := c.t.client.Pipeline()
	lens := make([]*redis.IntCmd, len(active))
	for i, s := range active {
		lens[i] = pipe.LLen(bg, s.queue)
	}
	if _, err := pipe.Exec(bg); err != nil {
		return nil, fmt.Errorf("intelmqredis: queue lengths: %w", err)
	}
	type move struct {
		s   source
		cmd *redis.StringCmd
	}
	var moves []move
	for i, s := range active {
		for range min(int(lens[i].Val()), limit-len(moves)) {
			moves = append(moves, move{s, pipe.LMove(bg, s.queue, s.internal, "RIGHT", "LEFT")})
		}
	}
	if len(moves) == 0 {
		return nil, nil
	}
	if _, err := pipe.Exec(bg); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("intelmqredis: taking messages: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var recs []*transport.Record
	for _, m := range moves {
		// Another member may have emptied the queue meanwhile (nil).
		if msg, err := m.cmd.Result(); err == nil {
			recs = append(recs, c.record(ctx, m.s, msg))
		}
	}
	return recs, nil
}

// Commit implements transport.Consumer: it removes the records' messages
// from the internal lists (IntelMQ's acknowledgement). Records this
// consumer did not take, or already committed, are skipped.
func (c *consumer) Commit(ctx context.Context, records []*transport.Record) error {
	if c.isClosed() {
		return transport.ErrClosed
	}
	c.mu.Lock()
	pipe := c.t.client.Pipeline()
	var done []int64
	for _, r := range records {
		f, ok := c.inflight[r.Offset]
		if !ok {
			continue
		}
		// From the tail: the oldest copy of an identical message.
		pipe.LRem(ctx, f.internal, -1, f.msg)
		done = append(done, r.Offset)
	}
	c.mu.Unlock()
	if len(done) == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("intelmqredis: acknowledging: %w", err)
	}
	c.mu.Lock()
	for _, o := range done {
		delete(c.inflight, o)
	}
	c.mu.Unlock()
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
	close(c.wake)
	c.wake = make(chan struct{})
}

// Close implements transport.Consumer: what was taken and not committed
// goes back to the head of its queue, and the slot is released.
func (c *consumer) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.closed)
		c.pollMu.Lock() // wait for a running Poll to notice
		defer c.pollMu.Unlock()
		<-c.renewed
		for _, s := range c.sources {
			if _, e := c.t.handBack(context.Background(), s.internal, s.queue); e != nil && err == nil {
				err = e
			}
		}
		c.release()
	})
	return err
}
