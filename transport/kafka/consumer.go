package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/intelstream/intelstream/transport"
)

// topicPartition names one partition.
type topicPartition struct {
	topic     string
	partition int32
}

// consumer is a transport.Consumer on one kgo group client.
//
// Rather than blocking rebalances while the caller processes (kgo's
// BlockRebalanceOnPoll, which risks being kicked from the group when
// processing is slow), the consumer tracks which partitions it owns:
// Commit and the revocation of partitions exclude each other (commitMu),
// so no commit for a partition is sent after the partition was revoked,
// and the caller's OnRevoked runs before the revocation, while it can
// still commit. Offsets of a partition never move backwards while this
// member owns it.
type consumer struct {
	t       *Transport
	cl      *kgo.Client
	log     *slog.Logger
	maxPoll int
	user    transport.ConsumerOptions

	closing atomic.Bool // Close was called
	closed  atomic.Bool // Close has finished

	commitMu sync.Mutex
	// owned maps each owned partition to the lowest offset a commit may
	// set: the offset consumption started from on assignment, then the
	// last committed one; -1 when not known.
	owned map[topicPartition]int64
}

// NewConsumer returns a group member that commits only through Commit
// (auto commit off), starts from the earliest record where the group
// has no committed offset, and reads only committed records
// (read_committed).
func (t *Transport) NewConsumer(opts transport.ConsumerOptions) (transport.Consumer, error) {
	if opts.Group == "" {
		return nil, errors.New("kafka: consumer without a group")
	}
	if len(opts.Topics) == 0 {
		return nil, errors.New("kafka: consumer without topics")
	}
	c := &consumer{
		t:       t,
		log:     t.cfg.logger.With("group", opts.Group),
		maxPoll: opts.MaxPollRecords,
		user:    opts,
		owned:   make(map[topicPartition]int64),
	}
	kopts := append(t.clientOpts("consumer."+opts.Group), c.groupOpts(opts.Group, opts.Topics)...)
	kopts = append(kopts, kgo.DisableAutoCommit())
	cl, err := kgo.NewClient(t.withUser(kopts)...)
	if err != nil {
		return nil, err
	}
	c.cl = cl
	if err := t.track(c); err != nil {
		cl.Close()
		return nil, err
	}
	return c, nil
}

// groupOpts are the consuming options shared by consumers and
// transactional sessions.
func (c *consumer) groupOpts(group string, topics []string) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.OnPartitionsAssigned(c.onAssigned),
		kgo.AdjustFetchOffsetsFn(c.onStart),
		kgo.OnPartitionsRevoked(c.onRevoked),
		kgo.OnPartitionsLost(c.onLost),
	}
}

func (c *consumer) onAssigned(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
	c.commitMu.Lock()
	for topic, parts := range assigned {
		for _, p := range parts {
			c.owned[topicPartition{topic, p}] = -1
		}
	}
	c.commitMu.Unlock()
	c.log.Debug("partitions assigned", "partitions", assigned)
	each(assigned, c.user.OnAssigned)
}

// onStart learns where consumption of newly assigned partitions starts
// (kgo calls it after OnPartitionsAssigned, once the committed offsets
// are fetched): a commit below that would rewind another member's work.
func (c *consumer) onStart(_ context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	for topic, parts := range offsets {
		for p, o := range parts {
			tp := topicPartition{topic, p}
			if _, ok := c.owned[tp]; ok {
				if eo := o.EpochOffset(); eo.Offset >= 0 {
					c.owned[tp] = eo.Offset
				}
			}
		}
	}
	return offsets, nil
}

// onRevoked lets the caller finish (and commit) first, then forgets the
// partitions; a Commit in flight finishes before they are forgotten.
func (c *consumer) onRevoked(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
	c.log.Debug("partitions revoked", "partitions", revoked)
	each(revoked, c.user.OnRevoked)
	c.disown(revoked)
}

// onLost forgets the partitions first: they already belong to someone
// else, so the caller's OnRevoked must not commit them.
func (c *consumer) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	c.log.Warn("partitions lost", "partitions", lost)
	c.disown(lost)
	each(lost, c.user.OnRevoked)
}

func (c *consumer) disown(parts map[string][]int32) {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	for topic, ps := range parts {
		for _, p := range ps {
			delete(c.owned, topicPartition{topic, p})
		}
	}
}

// each calls fn per topic, in topic order, with the topic's partitions
// sorted.
func each(parts map[string][]int32, fn func(string, []int32)) {
	if fn == nil {
		return
	}
	for _, topic := range slices.Sorted(maps.Keys(parts)) {
		ps := slices.Clone(parts[topic])
		slices.Sort(ps)
		fn(topic, ps)
	}
}

func (c *consumer) Poll(ctx context.Context) ([]*transport.Record, error) {
	return poll(ctx, c.cl, c.maxPoll, &c.closed, c.log)
}

// poll waits for records. Errors kgo reports beside records (a fetch of
// a partition that failed and is being retried) are logged; only errors
// retrying cannot cure end the wait.
func poll(ctx context.Context, cl *kgo.Client, max int, closed *atomic.Bool, log *slog.Logger) ([]*transport.Record, error) {
	for {
		if closed.Load() {
			return nil, transport.ErrClosed
		}
		fetches := cl.PollRecords(ctx, max)
		if fetches.IsClientClosed() {
			return nil, transport.ErrClosed
		}
		var fatal error
		fetches.EachError(func(topic string, p int32, err error) {
			switch {
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			case isFatal(err):
				fatal = fmt.Errorf("kafka: fetch %s/%d: %w", topic, p, err)
			default:
				log.Warn("fetch failed; retrying", "topic", topic, "partition", p, "err", err)
			}
		})
		if recs := fetches.Records(); len(recs) > 0 {
			return fromKgo(recs), nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if fatal != nil {
			return nil, fatal
		}
	}
}

// isFatal tells errors that retrying does not cure (authorization).
func isFatal(err error) bool {
	for _, e := range []error{
		kerr.TopicAuthorizationFailed,
		kerr.GroupAuthorizationFailed,
		kerr.ClusterAuthorizationFailed,
		kerr.SaslAuthenticationFailed,
		kerr.TransactionalIDAuthorizationFailed,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// rebalanceErrs are the commit errors that mean the group moved on
// under the commit: the records are delivered again (at least once).
var rebalanceErrs = []error{
	kerr.IllegalGeneration,
	kerr.UnknownMemberID,
	kerr.RebalanceInProgress,
	kerr.StaleMemberEpoch,
	kerr.FencedInstanceID,
}

func isRebalance(err error) bool {
	for _, e := range rebalanceErrs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (c *consumer) Commit(ctx context.Context, records []*transport.Record) error {
	if c.closed.Load() {
		return transport.ErrClosed
	}
	if len(records) == 0 {
		return nil
	}
	next := make(map[topicPartition]int64)
	for _, r := range records {
		tp := topicPartition{r.Topic, r.Partition}
		if o, ok := next[tp]; !ok || r.Offset+1 > o {
			next[tp] = r.Offset + 1
		}
	}

	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	offsets := make(map[string]map[int32]kgo.EpochOffset)
	for tp, o := range next {
		floor, ok := c.owned[tp]
		if !ok {
			c.log.Debug("not committing a partition this member no longer owns", "topic", tp.topic, "partition", tp.partition, "offset", o)
			continue
		}
		if o <= floor {
			continue // already committed, or before this member's start
		}
		if offsets[tp.topic] == nil {
			offsets[tp.topic] = make(map[int32]kgo.EpochOffset)
		}
		// Epoch -1: the records do not carry their leader epoch; it
		// only serves kgo's data loss detection on restart.
		offsets[tp.topic][tp.partition] = kgo.EpochOffset{Epoch: -1, Offset: o}
	}
	if len(offsets) == 0 {
		return nil
	}

	var errs []error
	c.cl.CommitOffsetsSync(ctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				tp := topicPartition{t.Topic, p.Partition}
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					errs = append(errs, fmt.Errorf("%s/%d: %w", t.Topic, p.Partition, err))
					continue
				}
				if _, ok := c.owned[tp]; ok {
					c.owned[tp] = offsets[t.Topic][p.Partition].Offset
				}
			}
		}
	})
	err := errors.Join(errs...)
	switch {
	case err == nil:
		return nil
	case isRebalance(err):
		c.log.Info("commit refused by a rebalance; the records will be delivered again", "err", err)
		return nil
	default:
		return fmt.Errorf("kafka: commit: %w", closedErr(err))
	}
}

func (c *consumer) Pause(topics ...string) {
	if len(topics) > 0 {
		c.cl.PauseFetchTopics(topics...)
	}
}

func (c *consumer) Resume(topics ...string) {
	if len(topics) > 0 {
		c.cl.ResumeFetchTopics(topics...)
	}
}

// Close leaves the group. OnRevoked runs during Close and may still
// Commit; afterwards Poll and Commit return transport.ErrClosed.
func (c *consumer) Close() error {
	if c.closing.Swap(true) {
		return nil
	}
	c.cl.Close()
	c.closed.Store(true)
	c.t.untrack(c)
	return nil
}
