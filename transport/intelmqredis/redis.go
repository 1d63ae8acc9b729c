// Package intelmqredis is a transport.Transport on IntelMQ's Redis
// pipeline, laid out as IntelMQ's bots use it, so that an IntelMQ
// installation can move to intelstream one bot at a time:
//
//   - A topic is a Redis list, by default named as the topic (IntelMQ's
//     queues are "<bot-id>-queue"; Queues maps other topic names, e.g. a
//     topology's "<topology>.<node>", onto them).
//   - Producing LPUSHes the message onto the queue (onto each of several
//     queues when a topic maps to more than one, as IntelMQ's destination
//     queues); the acknowledgement is Redis's reply.
//   - A consumer takes a message with LMOVE/BLMOVE (RIGHT → LEFT, what
//     BRPOPLPUSH does) from the queue into its in-progress list
//     "<queue>-internal" (IntelMQ's internal queue: a bot "b" reading
//     "b-queue" uses "b-queue-internal"), and Commit removes it from there.
//     A consumer that starts finds what a crashed predecessor left in the
//     internal list and delivers it first: IntelMQ's at least once.
//   - A consumer group is a bot id: its members compete for the queue's
//     messages. Each member holds a lease on an internal list ("slot"):
//     the first member uses "<queue>-internal", further ones
//     "<queue>-internal-<n>". Close hands what the member took but did not
//     commit back to the head of the queue; a member that starts also
//     hands back the internal lists of members whose lease expired. A
//     Redis list has one set of readers, so two groups on one queue
//     compete like one group: fan-out is the producer's (a topic mapped to
//     several queues).
//   - Pause and Resume stop and restart taking from a queue.
//
// What Redis lists cannot carry: keys, headers and timestamps (a queue
// holds only the message), partitions and offsets. Consumed records have
// partition 0 and, as Offset, the consumer's own delivery count.
// Transactions, partition reads and lag are not offered, so tables and
// exactly once need Kafka.
//
// Values are stored as given, unless a codec is set (WithCodec): with
// intelmqjson.NewAvro, the runtime's DHO Avro records travel as IntelMQ's
// JSON messages and IntelMQ bots read and write the same queues.
package intelmqredis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/intelmqjson"
)

// Transport is the IntelMQ Redis pipeline as a transport.Transport.
type Transport struct {
	client *redis.Client
	owned  bool
	codec  intelmqjson.Codec
	queues map[string][]string
	prefix string
	lease  time.Duration
	block  time.Duration
	log    *slog.Logger
}

// Option configures a Transport.
type Option func(*Transport)

// WithCodec converts values on their way to and from the queues (see
// package intelmqjson).
func WithCodec(c intelmqjson.Codec) Option { return func(t *Transport) { t.codec = c } }

// Queues maps topics onto Redis lists: producing to topic pushes onto every
// queue given, consuming topic reads the first one. Topics not in the map
// are lists of their own name.
func Queues(m map[string][]string) Option {
	return func(t *Transport) {
		for k, v := range m {
			t.queues[k] = append([]string(nil), v...)
		}
	}
}

// KeyPrefix puts every Redis key the transport uses under prefix (queues
// named by Queues too), to share a database between installations.
// IntelMQ uses none.
func KeyPrefix(prefix string) Option { return func(t *Transport) { t.prefix = prefix } }

// Lease sets how long a consumer's claim on its internal list lasts
// without renewal (default 30s; renewed at a third of it). After a crash,
// a new member hands the crashed member's messages back this much later.
func Lease(d time.Duration) Option { return func(t *Transport) { t.lease = d } }

// Logger sets the logger (default slog.Default()).
func Logger(l *slog.Logger) Option { return func(t *Transport) { t.log = l } }

// New returns a transport on client, which stays the caller's to close.
func New(client *redis.Client, opts ...Option) *Transport {
	t := &Transport{client: client, queues: map[string][]string{}, lease: 30 * time.Second, block: time.Second, log: slog.Default()}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Dial connects to the Redis server at url (redis://[user:password@]host:port/db,
// or rediss:// for TLS; IntelMQ's default database is 2) and returns a
// transport that closes the connection on Close.
func Dial(ctx context.Context, url string, opts ...Option) (*Transport, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("intelmqredis: Redis URL: %w", err)
	}
	cl := redis.NewClient(o)
	if err := cl.Ping(ctx).Err(); err != nil {
		cl.Close()
		return nil, fmt.Errorf("intelmqredis: %s: %w", o.Addr, err)
	}
	t := New(cl, opts...)
	t.owned = true
	return t, nil
}

// Client returns the Redis client.
func (t *Transport) Client() *redis.Client { return t.client }

// Queue returns the Redis list a consumer of topic reads.
func (t *Transport) Queue(topic string) string {
	if q := t.queues[topic]; len(q) > 0 {
		return t.prefix + q[0]
	}
	return t.prefix + topic
}

// destinations returns the lists a record for topic goes to.
func (t *Transport) destinations(topic string) []string {
	q := t.queues[topic]
	if len(q) == 0 {
		return []string{t.prefix + topic}
	}
	out := make([]string, len(q))
	for i, name := range q {
		out[i] = t.prefix + name
	}
	return out
}

// InternalQueue returns the in-progress list of a consumer of queue in
// slot n: IntelMQ's "<queue>-internal" for the first one.
func InternalQueue(queue string, n int) string {
	if n == 0 {
		return queue + "-internal"
	}
	return fmt.Sprintf("%s-internal-%d", queue, n)
}

// leaseKey is the key whose owner holds an internal list.
func leaseKey(internal string) string { return internal + ".lease" }

// CreateTopics checks the names; Redis creates lists on the first push.
func (t *Transport) CreateTopics(_ context.Context, topics ...transport.TopicSpec) error {
	for _, s := range topics {
		if err := checkTopic(s.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkTopic(name string) error {
	if name == "" {
		return errors.New("intelmqredis: empty topic name")
	}
	if strings.ContainsAny(name, "*?[]\\") {
		return fmt.Errorf("intelmqredis: topic %q: glob characters *?[]\\ are not allowed in queue names", name)
	}
	return nil
}

// Close closes the Redis connection if Dial opened it.
func (t *Transport) Close() error {
	if t.owned {
		return t.client.Close()
	}
	return nil
}

var _ transport.Transport = (*Transport)(nil)
