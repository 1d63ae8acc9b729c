package kafka

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// manualPartitionKey marks, in a kgo record's context, a record that goes
// to the partition it names (transport.Record.ManualPartition).
type manualPartitionKey struct{}

var manualPartition = context.WithValue(context.Background(), manualPartitionKey{}, true)

func isManual(r *kgo.Record) bool { return r.Context == manualPartition }

// partitioner is kgo's default partitioner (sticky for records without a
// key, murmur2 hash of the key otherwise, as Kafka's Java client) except
// for records marked manual, which keep the partition they name.
type partitioner struct{ def kgo.Partitioner }

func newPartitioner() kgo.Partitioner { return partitioner{kgo.StickyKeyPartitioner(nil)} }

func (p partitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return topicPartitioner{p.def.ForTopic(topic)}
}

type topicPartitioner struct{ def kgo.TopicPartitioner }

func (tp topicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return isManual(r) || tp.def.RequiresConsistency(r)
}

func (tp topicPartitioner) Partition(r *kgo.Record, n int) int {
	if isManual(r) {
		return int(r.Partition)
	}
	return tp.def.Partition(r, n)
}

// OnNewBatch passes kgo's new-batch signal on, so that the default's
// stickiness for records without a key keeps working.
func (tp topicPartitioner) OnNewBatch() {
	if nb, ok := tp.def.(kgo.TopicPartitionerOnNewBatch); ok {
		nb.OnNewBatch()
	}
}
