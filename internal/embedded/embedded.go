// Package embedded runs a Kafka broker (franz-go's kfake) and a schema
// registry (srfake) inside the process, on loopback addresses, so that
// intelstream runs with no services installed: `intelstream run`
// without --brokers, the `intelstream broker` command for several
// processes on one machine, and tests.
//
// Data lives in the process's memory and is gone when the cluster
// closes. The broker speaks the real Kafka protocol (groups,
// transactions, compaction), so any Kafka client can use it; the
// registry speaks the Confluent REST API but accepts every schema as
// compatible (check compatibility locally, as package schemas does).
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// Option configures Start.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	listen         string
	registryListen string
	partitions     int
	topics         map[string]int32
	logger         *slog.Logger
}

// Listen sets the broker's address; it must be a loopback address
// ("127.0.0.1:9092", "[::1]:9092", "localhost:9092"). Port 0, the
// default, picks a free port.
func Listen(addr string) Option {
	return optionFunc(func(c *config) { c.listen = addr })
}

// RegistryListen sets the schema registry's address, loopback only as
// for Listen. Port 0, the default, picks a free port.
func RegistryListen(addr string) Option {
	return optionFunc(func(c *config) { c.registryListen = addr })
}

// Partitions sets the partition count of topics created without one
// (and of topics created by producing to them). The default is 3.
func Partitions(n int) Option {
	return optionFunc(func(c *config) { c.partitions = n })
}

// Topics creates topics with the given partition count at start.
func Topics(partitions int32, names ...string) Option {
	return optionFunc(func(c *config) {
		for _, n := range names {
			c.topics[n] = partitions
		}
	})
}

// Logger sets where the broker logs; the default discards.
func Logger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// Cluster is a running embedded broker and registry.
type Cluster struct {
	kafka    *kfake.Cluster
	registry *srfake.Registry
	srv      *http.Server
	regURL   string
	stop     context.CancelFunc
	once     sync.Once
	done     chan struct{}
}

// Start starts the broker and the registry. They run until Close is
// called or ctx ends.
func Start(ctx context.Context, opts ...Option) (*Cluster, error) {
	cfg := config{
		listen:         "127.0.0.1:0",
		registryListen: "127.0.0.1:0",
		partitions:     3,
		topics:         map[string]int32{},
		logger:         slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := loopback(cfg.listen); err != nil {
		return nil, fmt.Errorf("embedded: broker address: %w", err)
	}
	if err := loopback(cfg.registryListen); err != nil {
		return nil, fmt.Errorf("embedded: registry address: %w", err)
	}

	// kfake listens on 127.0.0.1:<port>; ListenFn puts it on our
	// address instead (kfake advertises whatever it listens on).
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(0),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, cfg.listen) }),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.partitions),
		kfake.WithLogger(kfakeLogger{cfg.logger}),
	}
	for name, parts := range cfg.topics {
		kopts = append(kopts, kfake.SeedTopics(parts, name))
	}
	kc, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("embedded: broker: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.registryListen)
	if err != nil {
		kc.Close()
		return nil, fmt.Errorf("embedded: registry: %w", err)
	}
	reg := srfake.NewRegistry()
	srv := &http.Server{Handler: reg.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close

	runCtx, stop := context.WithCancel(ctx)
	c := &Cluster{
		kafka:    kc,
		registry: reg,
		srv:      srv,
		regURL:   "http://" + ln.Addr().String(),
		stop:     stop,
		done:     make(chan struct{}),
	}
	go func() {
		<-runCtx.Done()
		c.shutdown()
	}()
	return c, nil
}

// loopback refuses addresses other than loopback ones: the embedded
// broker has no authentication and must not be reachable from outside.
func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address", addr)
}

// Brokers returns the broker's address ("127.0.0.1:PORT").
func (c *Cluster) Brokers() []string { return c.kafka.ListenAddrs() }

// RegistryURL returns the schema registry's base URL.
func (c *Cluster) RegistryURL() string { return c.regURL }

// Kafka returns the kfake cluster, for fault injection in tests.
func (c *Cluster) Kafka() *kfake.Cluster { return c.kafka }

// Registry returns the srfake registry, for seeding and intercepting in
// tests.
func (c *Cluster) Registry() *srfake.Registry { return c.registry }

// Done is closed once the cluster has stopped.
func (c *Cluster) Done() <-chan struct{} { return c.done }

// Close stops the broker and the registry and waits until they stopped.
func (c *Cluster) Close() {
	c.stop()
	<-c.done
}

func (c *Cluster) shutdown() {
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.srv.Close()
		}
		c.kafka.Close()
		close(c.done)
	})
}

// kfakeLogger adapts slog to kfake.Logger.
type kfakeLogger struct{ l *slog.Logger }

func (k kfakeLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	var sl slog.Level
	switch level {
	case kfake.LogLevelError:
		sl = slog.LevelError
	case kfake.LogLevelWarn:
		sl = slog.LevelWarn
	case kfake.LogLevelInfo:
		sl = slog.LevelInfo
	default:
		sl = slog.LevelDebug
	}
	if k.l.Enabled(context.Background(), sl) {
		k.l.Log(context.Background(), sl, fmt.Sprintf(msg, args...), "component", "kfake")
	}
}
