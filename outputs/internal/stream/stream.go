// Package stream keeps the connection of the outputs that write a byte
// stream or datagrams (TCP, TLS, UDP): dialling when needed, deadlines,
// and, for TCP without application acknowledgements, a check after each
// batch that the receiver is still there.
package stream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// Conn is a connection that is dialled again after a failure.
type Conn struct {
	Network string // tcp or udp
	Addr    string
	TLS     *tls.Config // nil for none
	Timeout time.Duration
	// Check, for TCP, is how long to wait after a batch for a sign that the
	// receiver closed or reset the connection (then the batch failed:
	// what it wrote may not have been read). 0 checks nothing.
	Check time.Duration

	c net.Conn
}

// Do runs fn on the connection, dialling first when there is none. A
// failure closes the connection and is transient (the next Do dials
// again), except ctx ending.
func (s *Conn) Do(ctx context.Context, fn func(c net.Conn) error) error {
	if s.c == nil {
		d := net.Dialer{Timeout: s.Timeout}
		var c net.Conn
		var err error
		if s.TLS != nil && s.Network == "tcp" {
			c, err = (&tls.Dialer{NetDialer: &d, Config: s.TLS}).DialContext(ctx, s.Network, s.Addr)
		} else {
			c, err = d.DialContext(ctx, s.Network, s.Addr)
		}
		if err != nil {
			return s.fail(ctx, err)
		}
		s.c = c
	}
	deadline := time.Now().Add(s.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.c.SetDeadline(deadline)
	if err := fn(s.c); err != nil {
		return s.fail(ctx, err)
	}
	if s.Check > 0 && s.Network == "tcp" {
		if err := s.alive(); err != nil {
			return s.fail(ctx, err)
		}
	}
	return nil
}

// alive waits Check for the receiver to close or reset the connection.
// A receiver that sends nothing on its own is silent: a timeout means
// alive.
func (s *Conn) alive() error {
	s.c.SetReadDeadline(time.Now().Add(s.Check))
	var b [1]byte
	n, err := s.c.Read(b[:])
	switch {
	case err == nil && n > 0:
		return fmt.Errorf("the receiver sent unexpected data (%q)", b[:n])
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil
	case err == io.EOF:
		return errors.New("the receiver closed the connection")
	}
	return err
}

func (s *Conn) fail(ctx context.Context, err error) error {
	s.Close()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var re tls.RecordHeaderError
	var ce *tls.CertificateVerificationError
	if errors.As(err, &re) || errors.As(err, &ce) {
		return err // TLS settings do not mend with retries
	}
	return topology.Transient(err)
}

// Close closes the connection.
func (s *Conn) Close() error {
	if s.c == nil {
		return nil
	}
	err := s.c.Close()
	s.c = nil
	return err
}
