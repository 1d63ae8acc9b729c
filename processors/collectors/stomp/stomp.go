// Package stomp is the STOMP collector: it subscribes to a destination of
// a STOMP server (CERT Polska's n6 stream is the best known) and turns
// each message into a report, as IntelMQ's STOMP collector does.
//
// Unlike IntelMQ (which subscribes with ack: auto), it subscribes with
// client-individual (or, with ack_mode, cumulative client) acknowledgement
// and acknowledges a message only once
// its report is in the broker (topology.Flush): a message whose report
// was not stored is delivered again, to this or the next subscriber. When
// the server goes away it reconnects, with backoff.
package stomp

import (
	"bytes"
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
	"time"

	gostomp "github.com/go-stomp/stomp/v3"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "stomp-collector"

// Spec is the node spec of the STOMP collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Subscribes to a STOMP destination (exchange) and emits one report per message: raw is the body (trailing white space removed, as IntelMQ does), " +
		"feed.url stomp://server:port/exchange. Messages are acknowledged only once their reports are in the broker; " +
		"the collector reconnects with backoff when the server goes away.",
	IntelMQ: "intelmq.bots.collectors.stomp.collector",
	Params: slices.Concat([]topology.Param{
		{Name: "server", Type: topology.ParamString, Default: "n6stream.cert.pl", Doc: "The STOMP server's host name or address."},
		{Name: "port", Type: topology.ParamInt, Default: 61614, Doc: "The STOMP server's port."},
		{Name: "exchange", Type: topology.ParamString, Required: true, Doc: "The destination to subscribe to.", Example: "/exchange/my.org/#"},
		{Name: "heartbeat", Type: topology.ParamInt, Default: 6000, Doc: "STOMP heart-beat interval in milliseconds, both ways; 0 asks for none. A server silent for longer (with a grace period) counts as gone."},
		{Name: "use_ssl", Type: topology.ParamBool, Default: true, Doc: "Connect with TLS (IntelMQ always does; false is for plain STOMP servers)."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "A PEM file of the CA certificates to trust; empty: the system's."},
		{Name: "auth_by_ssl_client_certificate", Type: topology.ParamBool, Default: true, Doc: "Authenticate with a TLS client certificate (as n6 does); false: with username and password."},
		{Name: "ssl_client_certificate", Type: topology.ParamString, Doc: "A PEM file with the TLS client certificate (with auth_by_ssl_client_certificate)."},
		{Name: "ssl_client_certificate_key", Type: topology.ParamString, Doc: "A PEM file with the key of ssl_client_certificate."},
		{Name: "username", Type: topology.ParamString, Default: "guest", Doc: "STOMP login (without auth_by_ssl_client_certificate)."},
		{Name: "password", Type: topology.ParamString, Default: "guest", Doc: "STOMP passcode (without auth_by_ssl_client_certificate)."},
		{Name: "connect_timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Give up on a connection attempt (TCP, TLS, STOMP CONNECT) after this long."},
		{Name: "reconnect_delay", Type: topology.ParamDuration, Default: "1s", Doc: "The wait before the first reconnection; doubled after each failed one, reset once a connection delivered a message."},
		{Name: "reconnect_max_delay", Type: topology.ParamDuration, Default: "5m", Doc: "The longest wait between reconnections."},
		{Name: "ack_mode", Type: topology.ParamString, Default: "client-individual", Enum: []string{"client-individual", "client"}, Doc: "How messages are acknowledged once their reports are in the broker: each one (client-individual), or all up to the last of a batch (client, cumulative)."},
		{Name: "ack_batch", Type: topology.ParamInt, Default: 1000, Doc: "The most messages emitted before one flush and their acknowledgements (messages already received are batched; none is waited for)."},
	}, feed.Params()),
	Produces: append([]string{"feed.url"}, feed.Produces...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector subscribes to a STOMP destination and emits its messages as
// reports.
type Collector struct {
	server, destination string
	port                int
	heartbeat           time.Duration
	tls                 *tls.Config // nil: plain TCP
	login, passcode     string
	certAuth            bool
	connectTimeout      time.Duration
	delay, maxDelay     time.Duration
	batch               int
	ackMode             gostomp.AckMode
	feedURL             string
	feed                *feed.Fields
	log                 *slog.Logger
	// customLog: SetLogger was called; otherwise Run logs on the node's logger.
	customLog bool
	now       func() time.Time
	// flush is topology.Flush; tests replace it.
	flush func(context.Context) error
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	c := &Collector{
		server: p.String("server"), destination: p.String("exchange"), port: int(p.Int("port")),
		heartbeat: time.Duration(p.Int("heartbeat")) * time.Millisecond,
		login:     p.String("username"), passcode: p.String("password"),
		certAuth:       p.Bool("auth_by_ssl_client_certificate"),
		connectTimeout: p.Duration("connect_timeout"),
		delay:          p.Duration("reconnect_delay"), maxDelay: p.Duration("reconnect_max_delay"),
		batch: int(p.Int("ack_batch")), now: time.Now, flush: topology.Flush,
		ackMode: gostomp.AckClientIndividual,
	}
	if p.String("ack_mode") == "client" {
		c.ackMode = gostomp.AckClient
	}
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	if c.server == "" {
		return nil, bad("server", errors.New("empty"))
	}
	if c.port < 1 || c.port > 65535 {
		return nil, bad("port", fmt.Errorf("%d is not a TCP port", c.port))
	}
	if c.destination == "" {
		return nil, bad("exchange", errors.New("empty"))
	}
	if c.heartbeat < 0 {
		return nil, bad("heartbeat", fmt.Errorf("%d is negative", p.Int("heartbeat")))
	}
	if c.batch < 1 {
		return nil, bad("ack_batch", fmt.Errorf("%d is less than 1", c.batch))
	}
	if c.connectTimeout <= 0 {
		c.connectTimeout = 30 * time.Second
	}
	if c.delay <= 0 {
		c.delay = time.Second
	}
	c.maxDelay = max(c.maxDelay, c.delay)
	if p.Bool("use_ssl") {
		conf, err := tlsConfig(c.server, p, c.certAuth)
		if err != nil {
			return nil, err
		}
		c.tls = conf
	} else if c.certAuth {
		return nil, bad("auth_by_ssl_client_certificate", errors.New("needs use_ssl (or set it to false and give username and password)"))
	}
	var err error
	if c.feed, err = feed.New(Name, p); err != nil {
		return nil, err
	}
	c.feedURL = "stomp://" + c.server + ":" + strconv.Itoa(c.port) + "/" + c.destination
	c.log = slog.Default().With("node", Name)
	return c, nil
}

// tlsConfig reads the CA and client certificate files, so that a missing
// or bad file fails when the node is built, naming its parameter.
func tlsConfig(server string, p topology.Params, certAuth bool) (*tls.Config, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: server}
	if f := p.String("ssl_ca_certificate"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, bad("ssl_ca_certificate", fmt.Errorf("%s holds no PEM certificate", f))
		}
		conf.RootCAs = pool
	}
	if !certAuth {
		return conf, nil
	}
	certFile, keyFile := p.String("ssl_client_certificate"), p.String("ssl_client_certificate_key")
	if certFile == "" {
		return nil, bad("ssl_client_certificate", errors.New("required with auth_by_ssl_client_certificate"))
	}
	if keyFile == "" {
		return nil, bad("ssl_client_certificate_key", errors.New("required with auth_by_ssl_client_certificate"))
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, bad("ssl_client_certificate", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, bad("ssl_client_certificate_key", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, bad("ssl_client_certificate", err)
	}
	conf.Certificates = []tls.Certificate{cert}
	return conf, nil
}

// SetLogger makes the collector log on l (default: the node's logger).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", Name)
	c.customLog = true
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// stopError ends Run: the downstream refused a report or could not store
// it, which no reconnection cures.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// Run connects, subscribes and emits a report per message until ctx ends
// (then it returns nil). A lost or refused connection is logged and tried
// again after reconnect_delay, doubled after each failure up to
// reconnect_max_delay. An error of emit or of the flush ends Run with it;
// the messages of the reports concerned stay unacknowledged.
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx) // it names the node already
	}
	delay := c.delay
	for {
		delivered, err := c.session(ctx, emit)
		if ctx.Err() != nil {
			return nil
		}
		var stop *stopError
		if errors.As(err, &stop) {
			return stop.err
		}
		if delivered {
			delay = c.delay
		}
		c.log.Warn("STOMP connection lost, reconnecting", "server", c.address(), "err", err, "in", delay)
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

func (c *Collector) address() string { return net.JoinHostPort(c.server, strconv.Itoa(c.port)) }

// dial opens the connection and does the STOMP handshake.
func (c *Collector) dial(ctx context.Context) (*gostomp.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.connectTimeout)
	defer cancel()
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", c.address())
	if err != nil {
		return nil, err
	}
	if c.tls != nil {
		tc := tls.Client(nc, c.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("TLS: %w", err)
		}
		nc = tc
	}
	opts := []func(*gostomp.Conn) error{
		gostomp.ConnOpt.Host(c.server),
		gostomp.ConnOpt.HeartBeat(c.heartbeat, c.heartbeat),
		gostomp.ConnOpt.DisconnectReceiptTimeout(5 * time.Second),
		gostomp.ConnOpt.Logger(discardLogger{}),
	}
	if !c.certAuth {
		opts = append(opts, gostomp.ConnOpt.Login(c.login, c.passcode))
	}
	conn, err := gostomp.ConnectWithContext(ctx, nc, opts...)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("STOMP CONNECT: %w", err)
	}
	return conn, nil
}

// session runs one connection: subscribe, then emit, flush and acknowledge
// batches of messages until the connection fails or ctx ends. delivered
// says whether any message was acknowledged.
func (c *Collector) session(ctx context.Context, emit func(*dho.Report) error) (delivered bool, err error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		// Unacknowledged messages go back to the server's queue when
		// the connection ends, gracefully or not.
		if derr := conn.Disconnect(); derr != nil {
			conn.MustDisconnect()
		}
	}()
	sub, err := conn.Subscribe(c.destination, c.ackMode)
	if err != nil {
		return false, fmt.Errorf("SUBSCRIBE %s: %w", c.destination, err)
	}
	c.log.Info("connected and subscribed", "server", c.address(), "destination", c.destination)
	batch := make([]*gostomp.Message, 0, c.batch)
	var lost error // the connection failed while a batch was drained
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return delivered, nil
		case m, ok := <-sub.C:
			if !ok {
				return delivered, errors.New("subscription closed")
			}
			if m.Err != nil {
				return delivered, m.Err
			}
			batch = append(batch, m)
		}
	drain:
		for len(batch) < c.batch {
			select {
			case m, ok := <-sub.C:
				if !ok {
					lost = errors.New("subscription closed")
					break drain
				}
				if m.Err != nil {
					lost = m.Err
					break drain
				}
				batch = append(batch, m)
			default:
				break drain
			}
		}
		now := c.now()
		for _, m := range batch {
			r, err := c.report(m.Body, now)
			if err != nil {
				return delivered, &stopError{err}
			}
			if err := emit(r); err != nil {
				return delivered, &stopError{err}
			}
		}
		if err := c.flush(ctx); err != nil {
			if ctx.Err() != nil {
				return delivered, nil
			}
			return delivered, &stopError{fmt.Errorf("%s: reports not acknowledged by the broker, messages left unacknowledged: %w", Name, err)}
		}
		acks := batch
		if c.ackMode == gostomp.AckClient {
			acks = batch[len(batch)-1:] // acknowledges those before it too
		}
		for _, m := range acks {
			if err := conn.Ack(m); err != nil {
				// The server will deliver the message again: a duplicate,
				// not a loss.
				return delivered, fmt.Errorf("ACK: %w", err)
			}
		}
		delivered = true
		if lost != nil {
			return delivered, lost
		}
	}
}

// report makes the report of a message body.
func (c *Collector) report(body []byte, now time.Time) (*dho.Report, error) {
	r, err := c.feed.Report(bytes.TrimRight(body, " \t\r\n\v\f"), now)
	if err != nil {
		return nil, err
	}
	if err := r.Set("feed.url", c.feedURL); err != nil {
		return nil, err
	}
	return r, nil
}

// discardLogger silences go-stomp's own logging; the collector logs what
// matters on the node's logger.
type discardLogger struct{}

func (discardLogger) Debugf(string, ...any)   {}
func (discardLogger) Infof(string, ...any)    {}
func (discardLogger) Warningf(string, ...any) {}
func (discardLogger) Errorf(string, ...any)   {}
func (discardLogger) Debug(string)            {}
func (discardLogger) Info(string)             {}
func (discardLogger) Warning(string)          {}
func (discardLogger) Error(string)            {}
