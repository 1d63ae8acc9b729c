// Package amqp is a transport.Transport on RabbitMQ (AMQP 0-9-1), laid out
// as IntelMQ's AMQP pipeline uses it, so that intelstream nodes and IntelMQ
// bots can share queues:
//
//   - A topic is a durable queue, by default named as the topic (IntelMQ's
//     queues are "<bot-id>-queue"; Queues maps other topic names onto
//     them). Producers and consumers declare the queues they use, as
//     IntelMQ's bots do.
//   - Producing publishes a persistent message to the default exchange (or
//     the one given by Exchange, IntelMQ's *_pipeline_amqp_exchange) with
//     the queue as routing key, mandatory, on a channel in confirm mode:
//     the acknowledgement is the broker's publisher confirm, and a message
//     the broker could not route fails.
//   - A consumer group is a set of competing consumers on the queue (a bot
//     id); the prefetch count (Prefetch) bounds what one member holds
//     unacknowledged (backpressure). Commit acknowledges exactly the
//     records given (basic.ack; AMQP does not confirm acks); what a member
//     took and did not acknowledge goes back to the queue when it leaves.
//   - Pause cancels the consumption of a queue and returns what was
//     delivered but not yet polled; Resume consumes again.
//
// Keys and headers are kept: headers as AMQP headers (a table: the last
// value of a repeated name) and, exactly and in order, in the header
// "x-intelstream-headers"; the key in "x-intelstream-key". Consumed
// records carry the headers of foreign messages by name. Timestamps are
// AMQP's, whole seconds. There are no partitions (partition 0) and no
// offsets (a consumed record's Offset is the consumer's own delivery
// count).
//
// Values are the message bodies, unless a codec is set (WithCodec): with
// intelmqjson.NewAvro the runtime's DHO Avro records travel as IntelMQ's
// JSON messages.
package amqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/intelmqjson"
)

// Transport is RabbitMQ as a transport.Transport.
type Transport struct {
	conn     *amqp091.Connection
	codec    intelmqjson.Codec
	queues   map[string]string
	exchange string
	args     amqp091.Table
	prefetch int
	log      *slog.Logger

	mu     sync.Mutex
	closed bool
}

// Option configures a Transport.
type Option func(*Transport)

// WithCodec converts values on their way to and from the queues (see
// package intelmqjson).
func WithCodec(c intelmqjson.Codec) Option { return func(t *Transport) { t.codec = c } }

// Queues maps topics onto queue names; other topics are queues of their
// own name.
func Queues(m map[string]string) Option {
	return func(t *Transport) {
		for k, v := range m {
			t.queues[k] = v
		}
	}
}

// Exchange publishes to exchange (with the queue as routing key) instead
// of the default exchange; as with IntelMQ, queues are then not declared
// by producers (the exchange's bindings are the broker admin's).
func Exchange(name string) Option { return func(t *Transport) { t.exchange = name } }

// QueueArguments are the arguments queues are declared with (IntelMQ's
// queue_args, e.g. x-queue-type: quorum).
func QueueArguments(args map[string]any) Option {
	return func(t *Transport) { t.args = amqp091.Table(args) }
}

// Prefetch bounds the messages one consumer holds delivered and not yet
// acknowledged (AMQP's prefetch count: backpressure from the broker). Poll
// waits while that many were polled and not committed. Default: 8 times
// MaxPollRecords, at least 4000.
func Prefetch(n int) Option { return func(t *Transport) { t.prefetch = n } }

// Logger sets the logger (default slog.Default()).
func Logger(l *slog.Logger) Option { return func(t *Transport) { t.log = l } }

// Dial connects to the broker at url (amqp://user:password@host:5672/vhost,
// amqps:// for TLS).
func Dial(url string, opts ...Option) (*Transport, error) {
	conn, err := amqp091.DialConfig(url, amqp091.Config{Heartbeat: 10 * time.Second, Locale: "en_US", Dial: amqp091.DefaultDial(10 * time.Second)})
	if err != nil {
		return nil, fmt.Errorf("amqp transport: %w", err)
	}
	t := &Transport{conn: conn, queues: map[string]string{}, log: slog.Default()}
	for _, o := range opts {
		o(t)
	}
	return t, nil
}

// Queue returns the queue of topic.
func (t *Transport) Queue(topic string) string {
	if q, ok := t.queues[topic]; ok {
		return q
	}
	return topic
}

func (t *Transport) channel() (*amqp091.Channel, error) {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return nil, transport.ErrClosed
	}
	ch, err := t.conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("amqp transport: opening a channel: %w", err)
	}
	return ch, nil
}

// declare declares queue durable, as IntelMQ does.
func (t *Transport) declare(ch *amqp091.Channel, queue string) error {
	if queue == "" {
		return errors.New("amqp transport: empty topic name")
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, t.args); err != nil {
		return fmt.Errorf("amqp transport: declaring queue %s: %w", queue, err)
	}
	return nil
}

// CreateTopics implements transport.Transport: it declares the queues
// (durable; partitions and configs have no meaning here).
func (t *Transport) CreateTopics(_ context.Context, topics ...transport.TopicSpec) error {
	ch, err := t.channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	for _, s := range topics {
		if err := t.declare(ch, t.Queue(s.Name)); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the connection (and with it every producer and consumer).
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	if err := t.conn.Close(); err != nil && !errors.Is(err, amqp091.ErrClosed) {
		return err
	}
	return nil
}

var _ transport.Transport = (*Transport)(nil)
