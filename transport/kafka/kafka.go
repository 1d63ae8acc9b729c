// Package kafka is the Kafka transport, on franz-go (kgo and kadm).
//
// Every producer, consumer and transactional session is a kgo client of
// its own, so that MaxBuffered, group membership and transactions stay
// per user. Producers are idempotent with acks=all: a retried produce
// never duplicates or reorders records. Consumers are group members that
// commit only what the caller commits (no auto commit) and read only
// committed records (read_committed), so that exactly-once upstreams
// stay exactly once. The transport also implements
// transport.Transactional on kgo's GroupTransactSession.
//
// Producers compress record batches with Snappy (franz-go's default),
// except when every seed broker is on a loopback address, such as the
// embedded broker: there batches go uncompressed (see Compression).
package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/transport"
)

// Transport is a transport.Transport (and transport.Transactional) on
// one Kafka cluster.
type Transport struct {
	cfg config

	mu     sync.Mutex
	admin  *kgo.Client
	open   map[closer]struct{}
	closed bool
}

// closer is anything the transport closes on Close.
type closer interface{ Close() error }

var (
	_ transport.Transport     = (*Transport)(nil)
	_ transport.Transactional = (*Transport)(nil)
)

// New returns a transport. It does not connect: the first produce,
// poll or CreateTopics does, so New fails only on invalid options.
func New(opts ...Option) (*Transport, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if len(cfg.brokers) == 0 {
		return nil, errors.New("kafka: no brokers")
	}
	if cfg.compression == nil {
		cfg.compression = compressionFor(cfg.brokers)
	}
	t := &Transport{cfg: cfg, open: make(map[closer]struct{})}
	// Build (not connect) one client to validate the options now.
	admin, err := kgo.NewClient(t.clientOpts("admin")...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	t.admin = admin
	return t, nil
}

// clientOpts are the options every client of the transport shares;
// role names the client in the client id.
func (t *Transport) clientOpts(role string) []kgo.Opt {
	id := t.cfg.clientID
	if role != "" {
		id += "." + role
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(t.cfg.brokers...),
		kgo.ClientID(id),
		kgo.WithLogger(slogLogger{t.cfg.logger}),
		kgo.RecordPartitioner(newPartitioner()),
	}
	if len(t.cfg.compression) > 0 {
		opts = append(opts, kgo.ProducerBatchCompression(t.cfg.compression...))
	}
	if len(t.cfg.sasl) > 0 {
		opts = append(opts, kgo.SASL(t.cfg.sasl...))
	}
	if t.cfg.tls != nil {
		opts = append(opts, kgo.DialTLSConfig(t.cfg.tls.Clone()))
	}
	if len(t.cfg.hooks) > 0 {
		opts = append(opts, kgo.WithHooks(t.cfg.hooks...))
	}
	for _, fn := range t.cfg.clientHooks {
		if hooks := fn(id); len(hooks) > 0 {
			opts = append(opts, kgo.WithHooks(hooks...))
		}
	}
	return opts
}

// withUser appends the caller's raw options last, so they win.
func (t *Transport) withUser(opts []kgo.Opt) []kgo.Opt {
	return append(opts, t.cfg.kgoOpts...)
}

// track registers c to be closed with the transport; it fails once the
// transport is closed.
func (t *Transport) track(c closer) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return transport.ErrClosed
	}
	t.open[c] = struct{}{}
	return nil
}

func (t *Transport) untrack(c closer) {
	t.mu.Lock()
	delete(t.open, c)
	t.mu.Unlock()
}

// CreateTopics creates the topics that do not exist yet (with kadm);
// existing topics are left as they are. Partitions and
// ReplicationFactor of 0 take the transport's defaults (see the
// Partitions and ReplicationFactor options).
func (t *Transport) CreateTopics(ctx context.Context, topics ...transport.TopicSpec) error {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return transport.ErrClosed
	}
	adm := kadm.NewClient(t.admin)
	var errs []error
	for _, spec := range topics {
		parts, repl := spec.Partitions, spec.ReplicationFactor
		if parts == 0 {
			parts = t.cfg.partitions
		}
		if repl == 0 {
			repl = t.cfg.replication
		}
		var configs map[string]*string
		if len(spec.Config) > 0 {
			configs = make(map[string]*string, len(spec.Config))
			for k, v := range spec.Config {
				configs[k] = kadm.StringPtr(v)
			}
		}
		resp, err := adm.CreateTopic(ctx, parts, repl, configs, spec.Name)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("kafka: create topic %q: %w", spec.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Close closes every producer, consumer and session of the transport
// that is still open, then the transport itself.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	open := make([]closer, 0, len(t.open))
	for c := range t.open {
		open = append(open, c)
	}
	t.mu.Unlock()
	var errs []error
	for _, c := range open {
		if err := c.Close(); err != nil && !errors.Is(err, transport.ErrClosed) {
			errs = append(errs, err)
		}
	}
	t.admin.Close()
	return errors.Join(errs...)
}

// closedErr maps kgo's "client closed" onto transport.ErrClosed.
func closedErr(err error) error {
	if errors.Is(err, kgo.ErrClientClosed) {
		return fmt.Errorf("%w (%v)", transport.ErrClosed, err)
	}
	return err
}
