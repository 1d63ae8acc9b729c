// Package kafkatest starts what the tests of topologies need, in the test's
// process: franz-go's kfake broker, its srfake schema registry, our Kafka
// transport on the broker and a registry client, all closed when the test
// ends.
package kafkatest

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Env is a broker and a registry with clients of ours.
type Env struct {
	Cluster *kfake.Cluster
	// Brokers are the broker's addresses, RegistryURL the registry's.
	Brokers     []string
	RegistryURL string
	Tr          *kafka.Transport
	Reg         *schemas.Registry
}

// New starts a one-broker kfake cluster and an srfake registry for t; opts
// configure the transport's franz-go clients.
func New(t testing.TB, opts ...kgo.Opt) *Env {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	fake := srfake.New()
	t.Cleanup(fake.Close)
	topts := []kafka.Option{kafka.Brokers(c.ListenAddrs()...)}
	if len(opts) > 0 {
		topts = append(topts, kafka.KgoOpts(opts...))
	}
	tr, err := kafka.New(topts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	reg, err := schemas.NewRegistry([]string{fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Cluster: c, Brokers: c.ListenAddrs(), RegistryURL: fake.URL(), Tr: tr, Reg: reg}
}
