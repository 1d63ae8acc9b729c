package kafka

import (
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Option configures a Transport. Options are applied in order; a later
// option overrides an earlier one of the same kind (Hooks and KgoOpts
// add up).
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	brokers      []string
	clientID     string
	sasl         []sasl.Mechanism
	tls          *tls.Config
	partitions   int32
	replication  int16
	logger       *slog.Logger
	hooks        []kgo.Hook
	clientHooks  []func(string) []kgo.Hook
	kgoOpts      []kgo.Opt
	closeTimeout time.Duration
	// compression is what producers compress batches with; nil picks
	// by the brokers' addresses (see Compression).
	compression []kgo.CompressionCodec
}

func defaultConfig() config {
	return config{
		brokers:      []string{"127.0.0.1:9092"},
		clientID:     "intelstream",
		partitions:   -1,
		replication:  -1,
		logger:       slog.New(slog.DiscardHandler),
		closeTimeout: 30 * time.Second,
	}
}

// Brokers sets the seed brokers ("host:port"); the rest of the cluster
// is discovered from them. The default is 127.0.0.1:9092.
func Brokers(addrs ...string) Option {
	return optionFunc(func(c *config) { c.brokers = append([]string(nil), addrs...) })
}

// ClientID sets the client id the brokers see (in their logs and
// quotas); a producer's ID is appended to it. The default is
// "intelstream".
func ClientID(id string) Option {
	return optionFunc(func(c *config) { c.clientID = id })
}

// SASLPlain authenticates with SASL/PLAIN. Use it together with TLS:
// PLAIN sends the password as it is.
func SASLPlain(user, pass string) Option {
	return optionFunc(func(c *config) {
		c.sasl = []sasl.Mechanism{plain.Auth{User: user, Pass: pass}.AsMechanism()}
	})
}

// SASLScram256 authenticates with SASL/SCRAM-SHA-256.
func SASLScram256(user, pass string) Option {
	return optionFunc(func(c *config) {
		c.sasl = []sasl.Mechanism{scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()}
	})
}

// SASLScram512 authenticates with SASL/SCRAM-SHA-512.
func SASLScram512(user, pass string) Option {
	return optionFunc(func(c *config) {
		c.sasl = []sasl.Mechanism{scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()}
	})
}

// TLS connects to the brokers over TLS with cfg (nil: no TLS, the
// default). A cfg without ServerName gets the broker's host name.
func TLS(cfg *tls.Config) Option {
	return optionFunc(func(c *config) { c.tls = cfg })
}

// Partitions sets the partition count of topics created with a
// TopicSpec whose Partitions is 0. The default, -1, is the broker's
// default (num.partitions).
func Partitions(n int32) Option {
	return optionFunc(func(c *config) { c.partitions = n })
}

// ReplicationFactor sets the replication factor of topics created with
// a TopicSpec whose ReplicationFactor is 0. The default, -1, is the
// broker's default (default.replication.factor).
func ReplicationFactor(n int16) Option {
	return optionFunc(func(c *config) { c.replication = n })
}

// Logger sets where the Kafka client logs (franz-go's levels map onto
// slog's). The default discards everything.
func Logger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// Hooks adds franz-go hooks to every client the transport makes, e.g.
// a kprom.Metrics for Prometheus metrics. A hook that keeps per-client
// state must cope with several clients (one per producer, consumer and
// session, and one for administration).
func Hooks(hooks ...kgo.Hook) Option {
	return optionFunc(func(c *config) { c.hooks = append(c.hooks, hooks...) })
}

// ClientHooks calls fn for every client the transport makes, with the
// client's id, and adds the hooks it returns to that client only: for
// hooks that serve one client each, such as kprom.Metrics.
func ClientHooks(fn func(clientID string) []kgo.Hook) Option {
	return optionFunc(func(c *config) { c.clientHooks = append(c.clientHooks, fn) })
}

// Compression sets the codecs the transport's producers compress record
// batches with, in order of preference (the first the broker supports
// is used); kgo.NoCompression() sends batches as they are.
//
// Without this option the choice follows the seed brokers: when every one
// is on a loopback address (the embedded broker, a local development
// Kafka) batches go uncompressed, since compressing buys nothing over
// loopback and costs CPU on both ends (Snappy was ~10% of a node's CPU per
// event on the embedded broker); otherwise franz-go's default applies
// (Snappy), as it suits a network between clients and brokers.
func Compression(codecs ...kgo.CompressionCodec) Option {
	return optionFunc(func(c *config) { c.compression = append([]kgo.CompressionCodec(nil), codecs...) })
}

// compressionFor is the Compression default for the seed brokers: none
// when every broker is on a loopback address, else franz-go's (nil).
func compressionFor(brokers []string) []kgo.CompressionCodec {
	for _, b := range brokers {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			host = b
		}
		if host == "localhost" {
			continue
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil
		}
	}
	if len(brokers) == 0 {
		return nil
	}
	return []kgo.CompressionCodec{kgo.NoCompression()}
}

// KgoOpts adds raw franz-go options to every client the transport makes,
// applied after the transport's own: the escape hatch for what the
// other options do not cover (compression, linger, timeouts, ...).
// Options that break the transport's guarantees (auto commit, a
// different group) are the caller's responsibility.
func KgoOpts(opts ...kgo.Opt) Option {
	return optionFunc(func(c *config) { c.kgoOpts = append(c.kgoOpts, opts...) })
}

// CloseTimeout bounds how long Producer.Close waits for outstanding
// records before failing them. The default is 30 seconds.
func CloseTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.closeTimeout = d })
}
