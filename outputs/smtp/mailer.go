package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// serverParams are the SMTP server parameters both outputs take, with
// IntelMQ's names.
var serverParams = []topology.Param{
	{Name: "smtp_host", Type: topology.ParamString, Default: "localhost", Doc: "SMTP server host."},
	{Name: "smtp_port", Type: topology.ParamInt, Default: 25, Doc: "SMTP server port (25, 587 for submission, 465 with ssl)."},
	{Name: "smtp_username", Type: topology.ParamString, Default: "", Doc: "User for SMTP AUTH PLAIN; empty for no authentication."},
	{Name: "smtp_password", Type: topology.ParamString, Default: "", Doc: "Password for SMTP AUTH."},
	{Name: "ssl", Type: topology.ParamBool, Default: false, Doc: "Speak TLS from the start (SMTPS, port 465)."},
	{Name: "starttls", Type: topology.ParamBool, Default: true, Doc: "Upgrade the connection with STARTTLS; the server must offer it."},
	{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the server's TLS certificate (IntelMQ's name)."},
	{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of CA certificates to trust."},
	{Name: "helo_name", Type: topology.ParamString, Default: "localhost", Doc: "Name given in EHLO."},
	{Name: "timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Timeout of connecting and of each SMTP command."},
	{Name: "retries", Type: topology.ParamInt, Default: 3, Doc: "Attempts per mail on temporary failures (4xx answers, lost connections) before the batch fails as transient."},
}

// mailer sends mails through one SMTP server, a connection per batch.
type mailer struct {
	addr     string
	implicit bool
	starttls bool
	tls      *tls.Config
	auth     func() sasl.Client
	helo     string
	timeout  time.Duration
	retries  int
	backoff  time.Duration
}

func newMailer(node string, p topology.Params) (*mailer, error) {
	perr := func(param string, err error) error { return &topology.ParamError{Node: node, Param: param, Err: err} }
	port := p.Int("smtp_port")
	if port < 1 || port > 65535 {
		return nil, perr("smtp_port", fmt.Errorf("%d is not a port", port))
	}
	if p.Bool("ssl") && p.Bool("starttls") {
		return nil, perr("starttls", errors.New("ssl already speaks TLS; set starttls false"))
	}
	tc, err := outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate"), ServerName: p.String("smtp_host")}.Config()
	if err != nil {
		return nil, perr("ssl_ca_certificate", err)
	}
	m := &mailer{
		addr: net.JoinHostPort(p.String("smtp_host"), strconv.FormatInt(port, 10)), implicit: p.Bool("ssl"), starttls: p.Bool("starttls"),
		tls: tc, helo: p.String("helo_name"), timeout: p.Duration("timeout"), retries: int(p.Int("retries")), backoff: time.Second,
	}
	if m.retries < 1 {
		return nil, perr("retries", fmt.Errorf("%d: want at least 1", m.retries))
	}
	if user := p.String("smtp_username"); user != "" {
		pass := p.String("smtp_password")
		m.auth = func() sasl.Client { return sasl.NewPlainClient("", user, pass) }
	}
	return m, nil
}

// envelope is one mail to send.
type envelope struct {
	from string
	to   []string
	data []byte
}

// session is a connection used for the mails of one batch.
type session struct {
	m *mailer
	c *gosmtp.Client
}

func (m *mailer) dial(ctx context.Context) (*gosmtp.Client, error) {
	d := net.Dialer{Timeout: m.timeout}
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return nil, err
	}
	var c *gosmtp.Client
	switch {
	case m.implicit:
		c = gosmtp.NewClient(tls.Client(conn, m.tls))
	case m.starttls:
		if c, err = gosmtp.NewClientStartTLS(conn, m.tls); err != nil {
			conn.Close()
			return nil, err
		}
	default:
		c = gosmtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = m.timeout, m.timeout
	if err := c.Hello(m.helo); err != nil {
		c.Close()
		return nil, err
	}
	if m.auth != nil {
		if err := c.Auth(m.auth()); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// send delivers one mail, reconnecting and retrying on temporary
// failures. A permanent refusal (5xx) is returned as it is.
func (s *session) send(ctx context.Context, env envelope) error {
	return outkit.Retry(ctx, s.m.retries, s.m.backoff, func() error {
		if s.c == nil {
			c, err := s.m.dial(ctx)
			if err != nil {
				return classify(ctx, err)
			}
			s.c = c
		}
		err := s.c.SendMail(env.from, env.to, bytes.NewReader(env.data))
		if err == nil {
			return nil
		}
		err = classify(ctx, err)
		if topology.IsTransient(err) {
			s.c.Close() // start again on a fresh connection
			s.c = nil
		} else if rerr := s.c.Reset(); rerr != nil {
			s.c.Close()
			s.c = nil
		}
		return err
	})
}

func (s *session) close() {
	if s.c != nil {
		s.c.Quit()
		s.c.Close()
	}
}

// classify: 4xx answers and network failures are transient, 5xx answers
// permanent.
func classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var se *gosmtp.SMTPError
	if errors.As(err, &se) {
		if se.Temporary() {
			return topology.Transient(err)
		}
		return err
	}
	var te tls.RecordHeaderError
	if errors.As(err, &te) {
		return err // not TLS at all: a configuration error
	}
	return topology.Transient(err)
}
