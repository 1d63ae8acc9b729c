// Package runner connects a topology to a broker and a schema registry:
// the ones given by address, or an embedded broker and registry started in
// the process when none is given. The command and the examples share it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Config says where to run.
type Config struct {
	// Brokers are Kafka bootstrap addresses; none starts an embedded broker
	// and registry.
	Brokers []string
	// Registry is the schema registry URL (required with Brokers).
	Registry string
	// SASL: mechanism plain, scram-sha-256 or scram-sha-512.
	SASLMechanism, SASLUser, SASLPassword string
	// Partitions of the topics the run creates.
	Partitions int32
	Logger     *slog.Logger
}

// Env is a connected transport and registry.
type Env struct {
	Transport *kafka.Transport
	Registry  *schemas.Registry
	// Embedded is the in-process broker, if one was started.
	Embedded *embedded.Cluster
}

// Connect connects to the configured broker and registry, or starts
// embedded ones.
func Connect(ctx context.Context, c Config) (*Env, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	env := &Env{}
	brokers, registry := c.Brokers, c.Registry
	if len(brokers) == 0 {
		if registry != "" {
			return nil, errors.New("a registry without brokers: give --brokers too, or neither for the embedded broker")
		}
		cl, err := embedded.Start(ctx, embedded.Logger(c.Logger))
		if err != nil {
			return nil, fmt.Errorf("starting the embedded broker: %w", err)
		}
		env.Embedded = cl
		brokers, registry = cl.Brokers(), cl.RegistryURL()
		c.Logger.Info("embedded broker and registry started (data lives in memory)", "kafka", strings.Join(brokers, ","), "registry", registry)
	} else if registry == "" {
		return nil, errors.New("brokers without a schema registry: give --registry URL")
	}
	opts := []kafka.Option{kafka.Brokers(brokers...), kafka.Logger(c.Logger)}
	switch strings.ToLower(c.SASLMechanism) {
	case "":
	case "plain":
		opts = append(opts, kafka.SASLPlain(c.SASLUser, c.SASLPassword))
	case "scram-sha-256":
		opts = append(opts, kafka.SASLScram256(c.SASLUser, c.SASLPassword))
	case "scram-sha-512":
		opts = append(opts, kafka.SASLScram512(c.SASLUser, c.SASLPassword))
	default:
		env.Close()
		return nil, fmt.Errorf("SASL mechanism %q: want plain, scram-sha-256 or scram-sha-512", c.SASLMechanism)
	}
	tr, err := kafka.New(opts...)
	if err != nil {
		env.Close()
		return nil, err
	}
	env.Transport = tr
	reg, err := schemas.NewRegistry([]string{registry})
	if err != nil {
		env.Close()
		return nil, err
	}
	env.Registry = reg
	return env, nil
}

// RunOptions are the topology options that use the environment.
func (e *Env) RunOptions() []topology.RunOption {
	return []topology.RunOption{topology.WithTransport(e.Transport), topology.WithRegistry(e.Registry)}
}

// Close releases the transport and stops an embedded broker.
func (e *Env) Close() {
	if e.Transport != nil {
		e.Transport.Close()
	}
	if e.Embedded != nil {
		e.Embedded.Close()
	}
}
