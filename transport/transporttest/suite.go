// Package transporttest is the conformance suite every
// transport.Transport must pass, in the manner of watermill's
// pubsub/tests: an implementation's test calls Run with a constructor
// and the features it supports.
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, newTestTransport, transporttest.Features{
//			Partitions: true, Pause: true, Headers: true, Transactions: true,
//		})
//	}
//
// The zero Features is the least a transport must do; each flag either
// claims more (Partitions, Pause, Headers, Timestamps, Transactions) or
// declares what a queue-based broker lacks (Queue, NoKeys), so that Kafka,
// Redis lists and AMQP queues run the same cases.
//
// Every case waits on what it expects (records, callbacks) under a
// deadline; none sleeps to let things happen. The few checks that
// something does NOT happen (a paused topic delivers nothing, a full
// producer stays blocked) watch for a short window: they cannot fail
// on a correct transport, however slow the machine.
package transporttest

import (
	"context"
	"testing"
	"time"

	"github.com/intelstream/intelstream/transport"
)

// Features says what a transport supports beyond the basics (produce,
// consume in a group, commit, keys, ordering per key, close).
type Features struct {
	// Partitions: topics have several partitions, records with one key
	// go to one partition, and members of a group share partitions.
	Partitions bool
	// Pause: Pause and Resume stop and restart delivery.
	Pause bool
	// Headers: record headers are kept, byte for byte and in order.
	Headers bool
	// Timestamps: a produced record's Timestamp is kept (to the
	// millisecond).
	Timestamps bool
	// Transactions: the transport implements transport.Transactional.
	Transactions bool
	// Queue: a topic is one queue (a Redis list, an AMQP queue), not a
	// log. Records have no broker offsets: a consumed record's Offset is
	// the consumer's own delivery count (increasing within one consumer,
	// starting again in the next one), so the cases compare records by
	// value, not by offset. The members of a group compete for records
	// (no partitions), and Commit acknowledges exactly the records given,
	// not a prefix of a partition: the case GroupCompetes checks both.
	// Order per key holds for one consumer (a queue is FIFO), not across
	// competing ones, which is why no case asks for that.
	Queue bool
	// NoKeys: record keys are not carried (an IntelMQ Redis queue holds
	// only the message); consumed records have none.
	NoKeys bool
	// Timeout bounds each case; 0 means 2 minutes (the machines that
	// run the suite are shared and slow: cases finish as fast as the
	// transport allows, the bound only stops a hung case).
	Timeout time.Duration
}

type testCase struct {
	name string
	need func(Features) bool
	run  func(*env, Features)
}

var cases = []testCase{
	{"ProduceConsume", nil, testProduceConsume},
	{"OrderPerKey", nil, testOrderPerKey},
	{"KeysHeadersBytes", nil, testKeysHeadersBytes},
	{"AtLeastOnceAcrossRestart", nil, testAtLeastOnceAcrossRestart},
	{"NoLossWithoutCommit", nil, testNoLossWithoutCommit},
	{"GroupSharesPartitions", func(f Features) bool { return f.Partitions }, testGroupSharesPartitions},
	{"GroupCompetes", func(f Features) bool { return f.Queue }, testGroupCompetes},
	{"PauseResume", func(f Features) bool { return f.Pause }, testPauseResume},
	{"Backpressure", nil, testBackpressure},
	{"CancelAndClose", nil, testCancelAndClose},
	{"ConcurrentProducers", nil, testConcurrentProducers},
	{"Transactions", func(f Features) bool { return f.Transactions }, testTransactions},
}

// Run runs every case the features allow, each as a parallel subtest
// with a transport of its own from newTransport (which should register
// its own cleanup; Run closes the transport too).
func Run(t *testing.T, newTransport func(t *testing.T) transport.Transport, features Features) {
	timeout := features.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	partitions := int32(1)
	if features.Partitions {
		partitions = 3
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.need != nil && !c.need(features) {
				t.Skip("transport lacks the feature")
			}
			t.Parallel()
			tr := newTransport(t)
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			// Cleanups run last in, first out: the case's producers
			// and consumers close first, then the transport.
			t.Cleanup(func() { tr.Close() })
			t.Cleanup(cancel)
			c.run(&env{t: t, tr: tr, ctx: ctx, partitions: partitions}, features)
		})
	}
}
