package kafka

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

// txnSession is a transport.TxnSession on kgo's GroupTransactSession,
// which aborts a transaction when a rebalance happened during it, and
// after an abort rewinds consumption to the last committed offsets.
type txnSession struct {
	t      *Transport
	s      *kgo.GroupTransactSession
	c      *consumer // the rebalance callbacks and Poll's state
	inTxn  atomic.Bool
	closed atomic.Bool
}

// NewTxnSession returns an exactly-once session: it reads committed
// records only, and End commits the consumed offsets in the same
// transaction as the produced records.
func (t *Transport) NewTxnSession(opts transport.TxnOptions) (transport.TxnSession, error) {
	if opts.ID == "" {
		return nil, errors.New("kafka: transactional session without an ID")
	}
	if opts.Group == "" || len(opts.Topics) == 0 {
		return nil, errors.New("kafka: transactional session without a group or topics")
	}
	c := &consumer{
		t:       t,
		log:     t.cfg.logger.With("group", opts.Group, "txn", opts.ID),
		maxPoll: opts.MaxPollRecords,
		user: transport.ConsumerOptions{
			Group: opts.Group, Topics: opts.Topics,
			OnAssigned: opts.OnAssigned, OnRevoked: opts.OnRevoked,
		},
		owned: make(map[topicPartition]int64),
	}
	kopts := append(t.clientOpts("txn."+opts.ID), c.groupOpts(opts.Group, opts.Topics)...)
	kopts = append(kopts, kgo.TransactionalID(opts.ID), kgo.RequiredAcks(kgo.AllISRAcks()))
	if opts.MaxBuffered > 0 {
		kopts = append(kopts, kgo.MaxBufferedRecords(opts.MaxBuffered))
	}
	s, err := kgo.NewGroupTransactSession(t.withUser(kopts)...)
	if err != nil {
		return nil, err
	}
	c.cl = s.Client()
	ts := &txnSession{t: t, s: s, c: c}
	if err := t.track(ts); err != nil {
		s.Close()
		return nil, err
	}
	return ts, nil
}

func (s *txnSession) Poll(ctx context.Context) ([]*transport.Record, error) {
	return poll(ctx, s.c.cl, s.c.maxPoll, &s.closed, s.c.log)
}

func (s *txnSession) Begin() error {
	if s.closed.Load() {
		return transport.ErrClosed
	}
	if err := s.s.Begin(); err != nil {
		return closedErr(err)
	}
	s.inTxn.Store(true)
	return nil
}

func (s *txnSession) Produce(ctx context.Context, r *transport.Record, done func(*transport.Record, error)) {
	if s.closed.Load() {
		if done != nil {
			done(r, transport.ErrClosed)
		}
		return
	}
	produce(ctx, s.c.cl, r, done)
}

// End flushes (commit) or drops the buffered records (abort) and then
// ends the transaction; see transport.TxnSession.
func (s *txnSession) End(ctx context.Context, commit bool) (bool, error) {
	if s.closed.Load() {
		return false, transport.ErrClosed
	}
	committed, err := s.s.End(ctx, kgo.TransactionEndTry(commit))
	s.inTxn.Store(false)
	return committed, closedErr(err)
}

func (s *txnSession) Pause(topics ...string) {
	if len(topics) > 0 {
		s.c.cl.PauseFetchTopics(topics...)
	}
}

func (s *txnSession) Resume(topics ...string) {
	if len(topics) > 0 {
		s.c.cl.ResumeFetchTopics(topics...)
	}
}

// Close aborts an open transaction (for at most the transport's
// CloseTimeout) and leaves the group.
func (s *txnSession) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	defer s.t.untrack(s)
	var err error
	if s.inTxn.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), s.t.cfg.closeTimeout)
		_, err = s.s.End(ctx, kgo.TryAbort)
		cancel()
	}
	s.s.Close()
	return closedErr(err)
}
