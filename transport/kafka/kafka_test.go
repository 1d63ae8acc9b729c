package kafka_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
	"github.com/intelstream/intelstream/transport/transporttest"
)

// newCluster starts an in-process one-broker Kafka (kfake).
func newCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newTransport(t testing.TB, c *kfake.Cluster, opts ...kafka.Option) *kafka.Transport {
	t.Helper()
	tr, err := kafka.New(append([]kafka.Option{kafka.Brokers(c.ListenAddrs()...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transport.Transport {
		return newTransport(t, newCluster(t))
	}, transporttest.Features{
		Partitions:   true,
		Pause:        true,
		Headers:      true,
		Timestamps:   true,
		Transactions: true,
	})
}
