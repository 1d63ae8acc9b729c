package topology

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/transport"
)

// DeadLetter is one record of a dead-letter topic, with where it came from
// and why it failed.
type DeadLetter struct {
	Record    *transport.Record
	Reason    string
	Node      string
	Topic     string // the topic the record was read from
	Partition int32
	Offset    int64
	Time      time.Time
}

// parseDeadLetter reads the dead-letter headers of r.
func parseDeadLetter(r *transport.Record) DeadLetter {
	d := DeadLetter{Record: r, Partition: -1, Offset: -1}
	for _, h := range r.Headers {
		v := string(h.Value)
		switch h.Key {
		case HeaderDLQReason:
			d.Reason = v
		case HeaderDLQNode:
			d.Node = v
		case HeaderDLQTopic:
			d.Topic = v
		case HeaderDLQPartition:
			if p, err := strconv.ParseInt(v, 10, 32); err == nil {
				d.Partition = int32(p)
			}
		case HeaderDLQOffset:
			if o, err := strconv.ParseInt(v, 10, 64); err == nil {
				d.Offset = o
			}
		case HeaderDLQTime:
			d.Time, _ = time.Parse(time.RFC3339Nano, v)
		}
	}
	return d
}

// drain polls c until no record arrives for idle, calling fn per batch.
func drain(ctx context.Context, c transport.Consumer, idle time.Duration, fn func([]*transport.Record) error) error {
	for {
		pctx, cancel := context.WithTimeout(ctx, idle)
		recs, err := c.Poll(pctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil
			}
			return err
		}
		if len(recs) == 0 {
			continue
		}
		if err := fn(recs); err != nil {
			return err
		}
	}
}

// ReadDeadLetters returns the records of a dead-letter topic, reading until
// none arrives for idle. It commits nothing: reading twice gives the same.
func ReadDeadLetters(ctx context.Context, tr transport.Transport, topic string, idle time.Duration) ([]DeadLetter, error) {
	group := fmt.Sprintf("intelstream.dlq-read.%s.%d", topic, time.Now().UnixNano())
	c, err := tr.NewConsumer(transport.ConsumerOptions{Group: group, Topics: []string{topic}})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out []DeadLetter
	err = drain(ctx, c, idle, func(recs []*transport.Record) error {
		for _, r := range recs {
			out = append(out, parseDeadLetter(r))
		}
		return nil
	})
	return out, err
}

// ReplayDeadLetters sends the records of a dead-letter topic back to the
// topics they were read from (their dead-letter headers removed), so the
// node processes them again, e.g. after a fix. It remembers what it
// replayed (consumer group "intelstream.dlq-replay.TOPIC"), so a second
// replay sends only records that failed since. It returns how many records
// it sent.
func ReplayDeadLetters(ctx context.Context, tr transport.Transport, topic string, idle time.Duration) (int, error) {
	c, err := tr.NewConsumer(transport.ConsumerOptions{Group: "intelstream.dlq-replay." + topic, Topics: []string{topic}})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	p, err := tr.NewProducer(transport.ProducerOptions{ID: "intelstream.dlq-replay"})
	if err != nil {
		return 0, err
	}
	defer p.Close()
	n := 0
	var produceErr error
	err = drain(ctx, c, idle, func(recs []*transport.Record) error {
		for _, r := range recs {
			d := parseDeadLetter(r)
			if _, part := r.Header(HeaderDLQPart); part {
				n-- // counted below; a part is kept for people, not replayed
				continue
			}
			if d.Topic == "" {
				return fmt.Errorf("record at %s/%d/%d has no %s header: not a dead letter", r.Topic, r.Partition, r.Offset, HeaderDLQTopic)
			}
			var headers []transport.Header
			for _, h := range r.Headers {
				if !strings.HasPrefix(h.Key, "intelstream.dlq.") {
					headers = append(headers, h)
				}
			}
			p.Produce(ctx, &transport.Record{Topic: d.Topic, Key: r.Key, Value: r.Value, Headers: headers}, func(_ *transport.Record, err error) {
				if err != nil && produceErr == nil {
					produceErr = err
				}
			})
		}
		if err := p.Flush(ctx); err != nil {
			return err
		}
		if produceErr != nil {
			return produceErr
		}
		n += len(recs)
		return c.Commit(ctx, recs)
	})
	return n, err
}

type failKey struct{}

// failer sends part of the current input to the dead-letter topic.
type failer func(raw []byte, reason error)

// Fail sends raw (a part of the current input, such as one line of a report
// that cannot be parsed) to the node's dead-letter topic with the reason,
// and lets the processor go on with the rest of the input, as IntelMQ's
// parsers send bad lines to their error queue. The dead letter carries the
// input's origin (topic, partition, offset) like any other. Outside a
// running node (e.g. in a unit test) Fail reports false and does nothing.
func Fail(ctx context.Context, raw []byte, reason error) bool {
	f, ok := ctx.Value(failKey{}).(failer)
	if ok {
		f(raw, reason)
	}
	return ok
}

// withFailer returns a context whose Fail dead-letters parts of *cur.
func (rt *nodeRuntime) withFailer(ctx context.Context, cur **transport.Record) context.Context {
	return context.WithValue(ctx, failKey{}, failer(func(raw []byte, reason error) {
		in := *cur
		if in == nil {
			rt.log.Warn("Fail outside Process: nothing to dead-letter", "reason", reason)
			return
		}
		part := &transport.Record{Topic: in.Topic, Partition: in.Partition, Offset: in.Offset, Key: in.Key, Value: raw,
			Headers: append(slices.Clone(in.Headers), transport.Header{Key: HeaderDLQPart, Value: []byte("true")})}
		rt.dead(ctx, part, reason)
	}))
}

// HeaderDLQPart marks a dead letter that is part of its input record (a
// line of a report), not the record itself: it cannot be replayed as it is.
const HeaderDLQPart = "intelstream.dlq.part"

type flushKey struct{}

// Flush waits until every record the calling collector emitted so far is
// acknowledged by the broker. A collector calls it before it discards its
// source (deletes a file, acknowledges a mail, moves a queue's cursor), so
// that nothing is lost if the process dies in between. Outside a running
// node it returns nil at once.
func Flush(ctx context.Context) error {
	if f, ok := ctx.Value(flushKey{}).(func(context.Context) error); ok {
		return f(ctx)
	}
	return nil
}

type loggerKey struct{}

// Logger returns the logger of the node that runs the caller (a collector's
// Run, a processor's Process, an output's Write), with the topology and node
// names attached; outside a running node, slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
