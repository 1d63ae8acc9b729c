package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

var _ transport.PartitionReader = (*Transport)(nil)

// ReadPartition reads one partition from offset from to its last stable
// offset (the end of what is committed), with a client of its own that
// joins no group. Control records are fetched too, so that the reading
// knows when it reached the end even when the partition ends with a
// transaction marker; they are not passed to fn.
func (t *Transport) ReadPartition(ctx context.Context, topic string, partition int32, from int64, fn func(*transport.Record) error) (int64, error) {
	ends, err := kadm.NewClient(t.admin).ListCommittedOffsets(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("kafka: end of %s/%d: %w", topic, partition, err)
	}
	lo, ok := ends.Lookup(topic, partition)
	if !ok {
		return 0, fmt.Errorf("kafka: end of %s/%d: partition not listed", topic, partition)
	}
	if lo.Err != nil {
		return 0, fmt.Errorf("kafka: end of %s/%d: %w", topic, partition, lo.Err)
	}
	end := lo.Offset
	if from >= end {
		return end, nil
	}
	opts := append(t.clientOpts("restore"),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {partition: kgo.NewOffset().At(from)}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
	)
	cl, err := kgo.NewClient(t.withUser(opts)...)
	if err != nil {
		return 0, fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close()
	var rec transport.Record
	for {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) {
			if ferr == nil {
				ferr = err
			}
		})
		if ferr != nil {
			return 0, fmt.Errorf("kafka: reading %s/%d: %w", topic, partition, ferr)
		}
		done := false
		var fnErr error
		fs.EachRecord(func(r *kgo.Record) {
			if done || fnErr != nil {
				return
			}
			if r.Offset >= end {
				done = true
				return
			}
			if !r.Attrs.IsControl() {
				rec = *fromKgo([]*kgo.Record{r})[0]
				fnErr = fn(&rec)
			}
			if r.Offset >= end-1 {
				done = true
			}
		})
		if fnErr != nil {
			return 0, fnErr
		}
		if done {
			return end, nil
		}
	}
}

// PartitionCount returns the topic's partition count from the cluster's
// metadata.
func (t *Transport) PartitionCount(ctx context.Context, topic string) (int32, error) {
	td, err := kadm.NewClient(t.admin).ListTopics(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("kafka: partitions of %s: %w", topic, err)
	}
	d, ok := td[topic]
	if !ok {
		return 0, fmt.Errorf("kafka: partitions of %s: topic not listed", topic)
	}
	if d.Err != nil {
		return 0, fmt.Errorf("kafka: partitions of %s: %w", topic, d.Err)
	}
	return int32(len(d.Partitions)), nil
}
