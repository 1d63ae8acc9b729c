package transport

import "context"

// PartitionReader is implemented by transports that can read one partition
// of a topic directly, outside any consumer group: the runtime restores a
// table's local store from its changelog topic with it.
type PartitionReader interface {
	// ReadPartition calls fn with every committed record of the
	// partition from offset from up to the partition's end as it was when
	// the call began (records of aborted transactions are skipped). It
	// returns that end: the offset the next record will get. fn's record
	// is only valid during the call. An error from fn stops the reading
	// and is returned.
	ReadPartition(ctx context.Context, topic string, partition int32, from int64, fn func(*Record) error) (end int64, err error)
	// PartitionCount returns how many partitions topic has.
	PartitionCount(ctx context.Context, topic string) (int32, error)
}
