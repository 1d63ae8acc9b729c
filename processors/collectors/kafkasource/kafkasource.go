// Package kafkasource is the Kafka collector: it reads raw data from a
// Kafka topic (of another system, not intelstream's own records) as a
// member of a consumer group and turns every message into a report whose
// raw is the message's value, as IntelMQ's Kafka collector does.
//
// Unlike IntelMQ's, which commits before it sends the report on, it
// commits a polled batch's offsets only once topology.Flush returned, so
// that the reports are in intelstream's broker first: a crash in between
// delivers the batch again (at least once), it never loses it.
package kafkasource

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Name is the node kind's name.
const Name = "kafka-collector"

// Spec is the node spec of the Kafka collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Reads a Kafka topic of raw data as a consumer group member: one report per non-empty message (raw the value). " +
		"Offsets are committed only after the reports are acknowledged by intelstream's broker (at least once); " +
		"a group without committed offsets starts at the topic's beginning.",
	IntelMQ: "intelmq.bots.collectors.kafka.collector",
	Params: slices.Concat([]topology.Param{
		{Name: "kafka_topic", Type: topology.ParamString, Required: true, IntelMQ: "topic", Doc: "The topic to read."},
		{Name: "kafka_bootstrap_servers", Type: topology.ParamStrings, Default: "localhost:9092", IntelMQ: "bootstrap_servers", Doc: "Seed brokers, host:port (a list or a comma-separated string)."},
		{Name: "kafka_group_id", Type: topology.ParamString, Default: "intelstream.kafka-collector", Doc: "The consumer group (IntelMQ uses the bot's id); collectors of one group share the partitions."},
		{Name: "kafka_max_poll_records", Type: topology.ParamInt, Default: 500, Doc: "The most messages emitted between two commits."},
		{Name: "kafka_sasl_mechanism", Type: topology.ParamString, Enum: []string{"", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}, Doc: "SASL authentication, with kafka_username and kafka_password."},
		{Name: "kafka_username", Type: topology.ParamString, Doc: "SASL user name."},
		{Name: "kafka_password", Type: topology.ParamString, Doc: "SASL password."},
		{Name: "kafka_ssl", Type: topology.ParamBool, Default: false, Doc: "Connect with TLS (implied by ssl_ca_certificate or ssl_client_certificate)."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, IntelMQ: "ssl_cafile", Doc: "A PEM file of the CA certificates to trust instead of the system's."},
		{Name: "ssl_client_certificate", Type: topology.ParamString, IntelMQ: "ssl_certfile", Doc: "A PEM file with the TLS client certificate (and its key, unless ssl_client_key is given)."},
		{Name: "ssl_client_key", Type: topology.ParamString, Doc: "A PEM file with the key of ssl_client_certificate."},
		{Name: "ssl_check_hostname", Type: topology.ParamBool, Default: true, Doc: "Verify the brokers' TLS certificates and names."},
		{Name: "retry_delay", Type: topology.ParamDuration, Default: "1s", Doc: "The wait after a failed poll or commit, doubled up to a minute."},
	}, feed.Params()),
	Produces: feed.Produces,
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector reads a Kafka topic into reports.
type Collector struct {
	topic, group string
	maxPoll      int
	delay        time.Duration
	opts         []kafka.Option
	feed         *feed.Fields
	log          *slog.Logger
	customLog    bool
	now          func() time.Time
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	c := &Collector{
		topic: strings.TrimSpace(p.String("kafka_topic")), group: strings.TrimSpace(p.String("kafka_group_id")),
		maxPoll: int(p.Int("kafka_max_poll_records")), delay: p.Duration("retry_delay"), now: time.Now,
		log: slog.Default().With("node", Name),
	}
	if c.topic == "" {
		return nil, bad("kafka_topic", errors.New("empty"))
	}
	if c.group == "" {
		return nil, bad("kafka_group_id", errors.New("empty"))
	}
	if c.maxPoll <= 0 {
		return nil, bad("kafka_max_poll_records", fmt.Errorf("%d is not positive", c.maxPoll))
	}
	if c.delay <= 0 {
		c.delay = time.Second
	}
	var brokers []string
	for _, b := range p.Strings("kafka_bootstrap_servers") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if i := strings.LastIndexByte(b, ':'); i <= 0 || i == len(b)-1 {
			return nil, bad("kafka_bootstrap_servers", fmt.Errorf("%q is not host:port", b))
		}
		brokers = append(brokers, b)
	}
	if len(brokers) == 0 {
		return nil, bad("kafka_bootstrap_servers", errors.New("no broker given"))
	}
	c.opts = append(c.opts, kafka.Brokers(brokers...), kafka.ClientID("intelstream."+Name))
	user, pass := p.String("kafka_username"), p.String("kafka_password")
	switch m := p.String("kafka_sasl_mechanism"); m {
	case "":
		if user != "" {
			return nil, bad("kafka_sasl_mechanism", errors.New("kafka_username given without a mechanism"))
		}
	case "PLAIN":
		c.opts = append(c.opts, kafka.SASLPlain(user, pass))
	case "SCRAM-SHA-256":
		c.opts = append(c.opts, kafka.SASLScram256(user, pass))
	case "SCRAM-SHA-512":
		c.opts = append(c.opts, kafka.SASLScram512(user, pass))
	}
	if p.Bool("kafka_ssl") || p.String("ssl_ca_certificate") != "" || p.String("ssl_client_certificate") != "" {
		cfg, err := tlsConfig(p)
		if err != nil {
			return nil, err
		}
		c.opts = append(c.opts, kafka.TLS(cfg))
	}
	var err error
	if c.feed, err = feed.New(Name, p); err != nil {
		return nil, err
	}
	return c, nil
}

// tlsConfig builds the TLS configuration of the ssl_* parameters.
func tlsConfig(p topology.Params) (*tls.Config, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !p.Bool("ssl_check_hostname")}
	if f := p.String("ssl_ca_certificate"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, bad("ssl_ca_certificate", fmt.Errorf("%s holds no PEM certificate", f))
		}
	}
	if f := p.String("ssl_client_certificate"); f != "" {
		certPEM, err := os.ReadFile(f)
		if err != nil {
			return nil, bad("ssl_client_certificate", err)
		}
		keyPEM := certPEM
		if kf := p.String("ssl_client_key"); kf != "" {
			if keyPEM, err = os.ReadFile(kf); err != nil {
				return nil, bad("ssl_client_key", err)
			}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, bad("ssl_client_certificate", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// SetLogger makes the collector log on l (default: the node's logger).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", Name)
	c.customLog = true
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// Run reads the topic until ctx ends (nil) or emit fails (its error).
// Each polled batch is emitted, flushed (topology.Flush) and then
// committed; a batch not committed when Run ends is delivered again to
// the group. Poll and commit failures are logged and retried with backoff.
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx) // it names the node already
	}
	tr, err := kafka.New(append(c.opts, kafka.Logger(c.log))...)
	if err != nil {
		return err
	}
	defer tr.Close()
	cons, err := tr.NewConsumer(transport.ConsumerOptions{Group: c.group, Topics: []string{c.topic}, MaxPollRecords: c.maxPoll})
	if err != nil {
		return err
	}
	defer cons.Close()
	c.log.Info("reading topic", "topic", c.topic, "group", c.group)
	delay := c.delay
	wait := func(err error, what string) bool {
		c.log.Warn(what+" failed, retrying", "topic", c.topic, "err", err, "in", delay)
		t := time.NewTimer(delay)
		defer t.Stop()
		delay = min(2*delay, time.Minute)
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for {
		recs, err := cons.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if errors.Is(err, transport.ErrClosed) {
				return err
			}
			if !wait(err, "poll") {
				return nil
			}
			continue
		}
		for _, r := range recs {
			if len(r.Value) == 0 {
				c.log.Debug("empty message skipped", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset)
				continue
			}
			rep, err := c.feed.Report(r.Value, c.now())
			if err == nil {
				err = emit(rep)
			}
			if err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return nil // stopping: the batch is delivered again
		}
		if err := topology.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%s: flush: %w", Name, err)
		}
		for {
			err := cons.Commit(ctx, recs)
			if err == nil {
				delay = c.delay
				break
			}
			if ctx.Err() != nil || !wait(err, "commit") {
				return nil
			}
		}
	}
}
