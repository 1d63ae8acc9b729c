package transport

import "context"

// Transactional is implemented by transports that can process exactly
// once: consume from a group, produce, and commit the consumed offsets
// together with the produced records in one broker transaction. The
// runtime asks for it with a type assertion:
//
//	if tx, ok := t.(transport.Transactional); ok { ... }
type Transactional interface {
	// NewTxnSession returns a session consuming opts.Topics as a member
	// of opts.Group and producing transactionally as opts.ID.
	NewTxnSession(opts TxnOptions) (TxnSession, error)
}

// TxnOptions configures a transactional session.
type TxnOptions struct {
	// ID is the transactional id. It must be stable across restarts of
	// the same worker (a restarted session with the same ID fences the
	// old one) and unique among concurrently running workers.
	ID string
	// Group, Topics, MaxPollRecords, OnAssigned and OnRevoked are as in
	// ConsumerOptions. The session reads only committed records.
	Group          string
	Topics         []string
	MaxPollRecords int
	OnAssigned     func(topic string, partitions []int32)
	OnRevoked      func(topic string, partitions []int32)
	// MaxBuffered is as in ProducerOptions.
	MaxBuffered int
}

// TxnSession consumes, produces and commits atomically. The loop is:
//
//	recs, err := s.Poll(ctx)
//	s.Begin()
//	for _, r := range recs { s.Produce(ctx, out(r), nil) }
//	committed, err := s.End(ctx, true)
//
// If committed is false (a rebalance or a failure aborted the
// transaction) nothing produced in it becomes visible to read-committed
// consumers, and the records polled since the last commit are delivered
// again by the next Poll. Poll, Begin, Produce and End must not be
// called concurrently with Begin or End.
type TxnSession interface {
	// Poll is Consumer.Poll.
	Poll(ctx context.Context) ([]*Record, error)
	// Begin starts a transaction; Produce is refused outside one.
	Begin() error
	// Produce is Producer.Produce, within the current transaction.
	Produce(ctx context.Context, r *Record, done func(*Record, error))
	// End ends the transaction. With commit true it first waits for
	// every produced record, then commits the offsets of every record
	// Poll returned since the last commit together with the produced
	// records; it returns whether that happened. With commit false,
	// or when committing is not safe, it aborts: records still buffered
	// are dropped (their done gets an error), produced ones are never
	// visible, and consumption restarts from the last committed offsets.
	// An error means the session cannot go on; close it.
	End(ctx context.Context, commit bool) (committed bool, err error)
	// Pause and Resume are Consumer.Pause and Consumer.Resume.
	Pause(topics ...string)
	Resume(topics ...string)
	// Close aborts an open transaction and leaves the group.
	Close() error
}
