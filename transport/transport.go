// Package transport is the small interface between the topology runtime
// and a message broker: produce with acknowledgement, consume in a group
// with explicit commits, keys, headers, pause and resume. Kafka (package
// transport/kafka, on franz-go) is the first implementation; every
// implementation must pass the shared conformance suite in
// transport/transporttest.
package transport

import (
	"context"
	"errors"
	"time"
)

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

// Record is one message on a topic.
//
// Keys, values and header values are kept byte for byte; a nil and an
// empty key or value may not be told apart after a round trip.
type Record struct {
	Topic   string
	Key     []byte
	Value   []byte
	Headers []Header
	// Timestamp is the record's time (millisecond precision on Kafka);
	// zero when producing means now.
	Timestamp time.Time

	// Set on consumed records (and on produced ones once acknowledged).
	Partition int32
	Offset    int64
	// ManualPartition, when producing, sends the record to Partition
	// instead of the partition its key hashes to (a table's changelog
	// record goes to the partition of the input it was written for).
	ManualPartition bool
}

// Header returns the value of the first header named key.
func (r *Record) Header(key string) ([]byte, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return h.Value, true
		}
	}
	return nil, false
}

// TopicSpec describes a topic to create.
type TopicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int16
	// Config holds broker topic settings, e.g. cleanup.policy=compact.
	Config map[string]string
}

// Transport connects producers and consumers to one broker cluster.
type Transport interface {
	// CreateTopics creates the topics that do not exist yet; existing
	// topics are left as they are.
	CreateTopics(ctx context.Context, topics ...TopicSpec) error
	// NewProducer returns a producer. Records are delivered at least
	// once; with the same key they keep their order.
	NewProducer(opts ProducerOptions) (Producer, error)
	// NewConsumer returns a member of consumer group opts.Group reading
	// opts.Topics, starting from the group's committed offsets (or the
	// earliest records when it has none).
	NewConsumer(opts ConsumerOptions) (Consumer, error)
	// Close releases what the transport holds.
	Close() error
}

// ProducerOptions configures a producer.
type ProducerOptions struct {
	// ID names the producer in logs and metrics.
	ID string
	// MaxBuffered bounds the records produced but not yet acknowledged;
	// Produce blocks while the bound is reached (backpressure). 0 is the
	// implementation's default.
	MaxBuffered int
}

// Producer writes records.
type Producer interface {
	// Produce sends r asynchronously; done is called once the broker
	// acknowledged the record (err nil) or gave up on it. It blocks while
	// MaxBuffered records are outstanding, or until ctx ends (then done
	// gets ctx's error). A record counts as outstanding until its done
	// has returned.
	//
	// r belongs to the producer until done is called: done receives r
	// itself, with Partition and Offset set on success. done calls come
	// one at a time from the producer's own goroutine, so done must be
	// quick and must not call Produce or Flush itself (start a goroutine
	// for that); while a done runs, no other acknowledgement is
	// delivered. done may be nil.
	Produce(ctx context.Context, r *Record, done func(*Record, error))
	// Flush waits until every record produced so far is acknowledged or
	// failed.
	Flush(ctx context.Context) error
	// Close flushes and releases the producer.
	Close() error
}

// ConsumerOptions configures a consumer.
type ConsumerOptions struct {
	// Group is the consumer group; members of one group share the
	// partitions of the topics.
	Group  string
	Topics []string
	// MaxPollRecords bounds the records one Poll returns (0: default).
	MaxPollRecords int
	// OnAssigned and OnRevoked, if set, are called when partitions are
	// given to or taken from this member (rebalance), once per topic.
	// They run inside the rebalance, which waits for them: OnRevoked is
	// the place to finish or drop in-flight work of the revoked
	// partitions and Commit what is done (Commit still works there).
	// They must not call Close.
	OnAssigned func(topic string, partitions []int32)
	OnRevoked  func(topic string, partitions []int32)
}

// Consumer reads records as a member of a consumer group. Offsets are
// committed only when Commit is called: a record whose processing was not
// committed is delivered again after a restart or rebalance.
type Consumer interface {
	// Poll returns the next records, waiting until there are some or ctx
	// ends (then it returns ctx's error). Records of one partition come in
	// offset order.
	Poll(ctx context.Context) ([]*Record, error)
	// Commit marks records as processed: for each partition the highest
	// offset given is committed (as that offset + 1, the next record to
	// read). It returns when the broker confirmed. Commits never move a
	// partition's offset backwards, and records of partitions that were
	// revoked from this member since they were polled are skipped
	// without error: their new owner reads them again (at least once).
	// To commit finished work before a partition moves, commit from
	// OnRevoked.
	Commit(ctx context.Context, records []*Record) error
	// Pause stops delivering the topics until Resume: once Pause has
	// returned, Poll returns no records of them (records fetched but not
	// yet returned stay in the broker and come after Resume). This is
	// how a slow downstream holds the backlog in the broker instead of in
	// memory.
	Pause(topics ...string)
	// Resume undoes Pause for the topics.
	Resume(topics ...string)
	// Close leaves the group (after committing nothing more). Poll and
	// Commit return ErrClosed afterwards, and a Poll waiting at the time
	// returns ErrClosed.
	Close() error
}

// ErrClosed is returned by operations on a closed producer or consumer.
var ErrClosed = errors.New("transport: closed")
