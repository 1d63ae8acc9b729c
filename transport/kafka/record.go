package kafka

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

// toKgo converts a record to produce. Key, value and header values are
// shared, not copied: the caller gave the record to the producer.
func toKgo(r *transport.Record) *kgo.Record {
	kr := &kgo.Record{
		Topic:     r.Topic,
		Key:       r.Key,
		Value:     r.Value,
		Timestamp: r.Timestamp,
	}
	if r.ManualPartition {
		kr.Partition = r.Partition
		kr.Context = manualPartition
	}
	if len(r.Headers) > 0 {
		kr.Headers = make([]kgo.RecordHeader, len(r.Headers))
		for i, h := range r.Headers {
			kr.Headers[i] = kgo.RecordHeader{Key: h.Key, Value: h.Value}
		}
	}
	return kr
}

// fromKgo converts consumed records. kgo does not reuse a polled
// record's memory, so the bytes are shared, not copied.
func fromKgo(krs []*kgo.Record) []*transport.Record {
	out := make([]*transport.Record, len(krs))
	// One backing array for the batch: one allocation instead of len.
	recs := make([]transport.Record, len(krs))
	for i, kr := range krs {
		r := &recs[i]
		*r = transport.Record{
			Topic:     kr.Topic,
			Key:       kr.Key,
			Value:     kr.Value,
			Timestamp: kr.Timestamp,
			Partition: kr.Partition,
			Offset:    kr.Offset,
		}
		if len(kr.Headers) > 0 {
			r.Headers = make([]transport.Header, len(kr.Headers))
			for j, h := range kr.Headers {
				r.Headers[j] = transport.Header{Key: h.Key, Value: h.Value}
			}
		}
		out[i] = r
	}
	return out
}
