// Package amqp is the AMQP collector: it consumes a queue of an AMQP 0-9-1
// server (RabbitMQ) and turns every message into a report whose raw is the
// message body, as IntelMQ's AMQP collector does.
//
// Messages are acknowledged manually, and only once the reports emitted
// for them are in intelstream's broker (topology.Flush): a batch of at
// most prefetch_count messages is emitted, flushed, then acknowledged with
// one multiple ack. A message not acknowledged when the collector stops or
// its connection breaks is delivered again by the server (at least once).
// The collector reconnects with backoff whenever the connection or the
// channel closes.
package amqp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "amqp-collector"

// Spec is the node spec of the AMQP collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Consumes an AMQP 0-9-1 (RabbitMQ) queue: one report per message (raw the body, or the IntelMQ report itself with expect_intelmq_message). " +
		"Messages are acknowledged only after their reports are acknowledged by intelstream's broker, at most prefetch_count unacknowledged at a time; " +
		"reconnects with backoff.",
	IntelMQ: "intelmq.bots.collectors.amqp.collector_amqp",
	Params: slices.Concat([]topology.Param{
		{Name: "connection_host", Type: topology.ParamString, Default: "127.0.0.1", Doc: "The AMQP server's host."},
		{Name: "connection_port", Type: topology.ParamInt, Default: 5672, Doc: "The AMQP server's port."},
		{Name: "connection_vhost", Type: topology.ParamString, Default: "/", Doc: "The virtual host."},
		{Name: "username", Type: topology.ParamString, Default: "guest", Doc: "User name (IntelMQ: the server's default unless username and password are given)."},
		{Name: "password", Type: topology.ParamString, Default: "guest", Doc: "Password."},
		{Name: "queue_name", Type: topology.ParamString, Required: true, Doc: "The queue to consume (it must exist)."},
		{Name: "use_ssl", Type: topology.ParamBool, Default: false, Doc: "Connect with TLS (amqps)."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Doc: "A PEM file of the CA certificates to trust instead of the system's (with use_ssl)."},
		{Name: "ssl_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the server's TLS certificate (with use_ssl)."},
		{Name: "connection_heartbeat", Type: topology.ParamDuration, Default: "3600s", Doc: "The heartbeat interval asked of the server (IntelMQ: seconds)."},
		{Name: "connection_attempts", Type: topology.ParamInt, Default: 3, Doc: "Failed connections in a row logged at info level before they are logged as warnings; the collector never gives up reconnecting."},
		{Name: "expect_intelmq_message", Type: topology.ParamBool, Default: false, Doc: "The bodies are IntelMQ reports (flat JSON): they are emitted as they are, not as raw."},
		{Name: "prefetch_count", Type: topology.ParamInt, Default: 100, Doc: "The most unacknowledged messages the server hands the collector at a time (and the size of a flush batch)."},
		{Name: "reconnect_delay", Type: topology.ParamDuration, Default: "1s", Doc: "The wait before the first reconnection; doubled after each failed one up to reconnect_max_delay, reset once a connection delivered a message."},
		{Name: "reconnect_max_delay", Type: topology.ParamDuration, Default: "5m", Doc: "The longest wait between reconnections."},
	}, feed.Params()),
	Produces: feed.Produces,
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector consumes an AMQP queue into reports.
type Collector struct {
	addr            string
	cfg             amqp091.Config
	user, pass      string
	queue           string
	intelmq         bool
	prefetch        int
	attempts        int
	delay, maxDelay time.Duration
	feed            *feed.Fields
	log             *slog.Logger
	customLog       bool
	now             func() time.Time
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	c := &Collector{
		user: p.String("username"), pass: p.String("password"),
		queue: p.String("queue_name"), intelmq: p.Bool("expect_intelmq_message"),
		prefetch: int(p.Int("prefetch_count")), attempts: int(p.Int("connection_attempts")),
		delay: p.Duration("reconnect_delay"), maxDelay: p.Duration("reconnect_max_delay"),
		now: time.Now, log: slog.Default().With("node", Name),
	}
	host := strings.TrimSpace(p.String("connection_host"))
	if host == "" || strings.ContainsAny(host, "/ ") {
		return nil, bad("connection_host", fmt.Errorf("%q is not a host", host))
	}
	port := p.Int("connection_port")
	if port < 1 || port > 65535 {
		return nil, bad("connection_port", fmt.Errorf("%d is not a port", port))
	}
	c.addr = net.JoinHostPort(host, strconv.FormatInt(port, 10))
	if strings.TrimSpace(c.queue) == "" {
		return nil, bad("queue_name", errors.New("empty"))
	}
	if c.prefetch < 1 || c.prefetch > 65535 {
		return nil, bad("prefetch_count", fmt.Errorf("%d is not between 1 and 65535", c.prefetch))
	}
	if c.delay <= 0 {
		return nil, bad("reconnect_delay", fmt.Errorf("%v is not positive", c.delay))
	}
	c.maxDelay = max(c.maxDelay, c.delay)
	vhost := p.String("connection_vhost")
	if vhost == "" {
		vhost = "/"
	}
	c.cfg = amqp091.Config{
		Vhost:     vhost,
		Heartbeat: p.Duration("connection_heartbeat"),
		Locale:    "en_US",
		SASL:      []amqp091.Authentication{&amqp091.PlainAuth{Username: c.user, Password: c.pass}},
		Properties: amqp091.Table{
			"product":         "intelstream",
			"connection_name": "intelstream " + Name,
		},
		Dial: amqp091.DefaultDial(30 * time.Second),
	}
	if p.Bool("use_ssl") {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host, InsecureSkipVerify: !p.Bool("ssl_verify_cert")}
		if f := p.String("ssl_ca_certificate"); f != "" {
			pem, err := os.ReadFile(f)
			if err != nil {
				return nil, bad("ssl_ca_certificate", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, bad("ssl_ca_certificate", fmt.Errorf("%s holds no PEM certificate", f))
			}
		}
		c.cfg.TLSClientConfig = tc
	}
	var err error
	if c.feed, err = feed.New(Name, p); err != nil {
		return nil, err
	}
	return c, nil
}

// SetLogger makes the collector log on l (default: the node's logger).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", Name)
	c.customLog = true
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// emitError carries an error of emit or Flush, which ends Run.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }

// Run consumes the queue until ctx ends (nil) or emit fails (its error),
// reconnecting with backoff whenever the connection fails.
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx) // it names the node already
	}
	delay, failures := c.delay, 0
	for {
		n, err := c.consume(ctx, emit)
		if ctx.Err() != nil {
			return nil
		}
		var ee *emitError
		if errors.As(err, &ee) {
			return ee.err
		}
		if n > 0 {
			delay, failures = c.delay, 0
		}
		failures++
		lvl := slog.LevelInfo
		if failures > c.attempts {
			lvl = slog.LevelWarn
		}
		c.log.Log(ctx, lvl, "AMQP connection lost, reconnecting", "addr", c.addr, "queue", c.queue, "err", err, "messages", n, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(2*delay, c.maxDelay)
	}
}

// consume connects once and consumes until the connection or channel
// closes (its error), ctx ends, or emit fails (an *emitError). It returns
// the number of messages acknowledged.
func (c *Collector) consume(ctx context.Context, emit func(*dho.Report) error) (int, error) {
	scheme := "amqp"
	if c.cfg.TLSClientConfig != nil {
		scheme = "amqps"
	}
	conn, err := amqp091.DialConfig(scheme+"://"+c.addr+"/", c.cfg)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
	// Closing the connection closes the channel; the server puts the
	// unacknowledged messages back.
	closed := ch.NotifyClose(make(chan *amqp091.Error, 1))
	if err := ch.Qos(c.prefetch, 0, false); err != nil {
		return 0, err
	}
	deliveries, err := ch.ConsumeWithContext(ctx, c.queue, "", false, false, false, false, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		// Deliveries the library still buffers must be taken, or closing
		// blocks.
		go func() {
			for range deliveries {
			}
		}()
		conn.Close()
	}()
	c.log.Info("consuming queue", "addr", c.addr, "vhost", c.cfg.Vhost, "queue", c.queue)

	acked, pending := 0, 0
	var last uint64
	ack := func() error {
		if ctx.Err() != nil {
			// Stopping: what is not acknowledged is delivered again.
			return ctx.Err()
		}
		if err := topology.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &emitError{fmt.Errorf("%s: flush: %w", Name, err)}
		}
		if err := ch.Ack(last, true); err != nil {
			return err
		}
		acked += pending
		pending = 0
		return nil
	}
	for {
		var d amqp091.Delivery
		var ok bool
		if pending > 0 {
			select {
			case d, ok = <-deliveries:
			default:
				// Nothing more waiting: flush and acknowledge the batch.
				if err := ack(); err != nil {
					return acked, err
				}
				continue
			}
		} else {
			select {
			case <-ctx.Done():
				return acked, nil
			case d, ok = <-deliveries:
			}
		}
		if !ok {
			// The channel or the connection closed (server shut down,
			// queue deleted, consumer cancelled); unacknowledged messages
			// go back to the queue.
			select {
			case e := <-closed:
				if e != nil {
					return acked, e
				}
			default:
			}
			return acked, errors.New("consumer closed by the server")
		}
		r, err := c.report(d.Body)
		if err != nil {
			// Only with expect_intelmq_message: the body goes to the
			// dead-letter topic, and is acknowledged with the batch.
			c.log.Warn("message is not an IntelMQ report", "queue", c.queue, "err", err)
			topology.Fail(ctx, d.Body, err)
		} else if err := emit(r); err != nil {
			return acked, &emitError{err}
		}
		last = d.DeliveryTag
		pending++
		if pending >= c.prefetch {
			if err := ack(); err != nil {
				return acked, err
			}
		}
	}
}

// report makes the report of a message body.
func (c *Collector) report(body []byte) (*dho.Report, error) {
	if !c.intelmq {
		return c.feed.Report(body, c.now())
	}
	r := &dho.Report{}
	if err := r.UnmarshalFlat(string(body)); err != nil {
		return nil, err
	}
	return r, nil
}
