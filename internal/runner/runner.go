// Package runner connects a topology to a broker and a schema registry:
// the ones given by address, or an embedded broker and registry started in
// the process when none is given. The command and the examples share it.
package runner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

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
	// TLS: a CA file to trust, a client certificate and key, or no
	// verification (tests only), for the brokers and the registry.
	TLSCA, TLSCert, TLSKey string
	TLSInsecure            bool
	// Partitions of the topics the run creates.
	Partitions int32
	Logger     *slog.Logger
	// Hooks are franz-go hooks for every client; each must be safe to share
	// between clients (kprom's Metrics is not: see ClientHooks).
	Hooks []kgo.Hook
	// ClientHooks makes hooks for one client each (e.g. kprom metrics).
	ClientHooks func(clientID string) []kgo.Hook
}

// tlsConfig builds the TLS configuration, or nil when none is asked for.
func (c Config) tlsConfig() (*tls.Config, error) {
	if c.TLSCA == "" && c.TLSCert == "" && c.TLSKey == "" && !c.TLSInsecure {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.TLSInsecure} //nolint:gosec // asked for explicitly
	if c.TLSCA != "" {
		pem, err := os.ReadFile(c.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA %s: no PEM certificate in it", c.TLSCA)
		}
		cfg.RootCAs = pool
	}
	if c.TLSCert != "" || c.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
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
	tlsCfg, err := c.tlsConfig()
	if err != nil {
		env.Close()
		return nil, err
	}
	if env.Embedded != nil {
		tlsCfg = nil // the embedded broker and registry speak plain TCP
	}
	tr, err := c.transport(brokers, tlsCfg)
	if err != nil {
		env.Close()
		return nil, err
	}
	env.Transport = tr
	var regOpts []schemas.RegistryOption
	if tlsCfg != nil {
		regOpts = append(regOpts, schemas.TLS(tlsCfg))
	}
	reg, err := schemas.NewRegistry([]string{registry}, regOpts...)
	if err != nil {
		env.Close()
		return nil, err
	}
	env.Registry = reg
	return env, nil
}

// Transport connects to the given brokers only (no registry, no embedded
// broker), with the configuration's TLS and SASL: for tools that only read
// offsets and groups.
func Transport(c Config) (*kafka.Transport, error) {
	if len(c.Brokers) == 0 {
		return nil, errors.New("no brokers given")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	tlsCfg, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	return c.transport(c.Brokers, tlsCfg)
}

// transport makes the Kafka transport for brokers.
func (c Config) transport(brokers []string, tlsCfg *tls.Config) (*kafka.Transport, error) {
	opts := []kafka.Option{kafka.Brokers(brokers...), kafka.Logger(c.Logger), kafka.Hooks(c.Hooks...)}
	if c.Partitions > 0 {
		opts = append(opts, kafka.Partitions(c.Partitions))
	}
	if c.ClientHooks != nil {
		opts = append(opts, kafka.ClientHooks(c.ClientHooks))
	}
	if tlsCfg != nil {
		opts = append(opts, kafka.TLS(tlsCfg))
	}
	switch strings.ToLower(c.SASLMechanism) {
	case "":
	case "plain":
		opts = append(opts, kafka.SASLPlain(c.SASLUser, c.SASLPassword))
	case "scram-sha-256":
		opts = append(opts, kafka.SASLScram256(c.SASLUser, c.SASLPassword))
	case "scram-sha-512":
		opts = append(opts, kafka.SASLScram512(c.SASLUser, c.SASLPassword))
	default:
		return nil, fmt.Errorf("SASL mechanism %q: want plain, scram-sha-256 or scram-sha-512", c.SASLMechanism)
	}
	return kafka.New(opts...)
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
