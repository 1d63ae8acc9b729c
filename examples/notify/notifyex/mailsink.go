package notifyex

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"sync"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Mail is one message the sink received.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Header returns the message's header field name, decoded.
func (m Mail) Header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	if dec, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return dec
	}
	return v
}

// MailSink is a small SMTP server on loopback that keeps what it receives
// and hands each message to a callback: the example's stand-in for a
// CERT's mail relay.
type MailSink struct {
	srv *gosmtp.Server
	ln  net.Listener

	mu      sync.Mutex
	mails   []Mail
	onMail  func(Mail)
	closeMu sync.Once
}

// StartMailSink listens on 127.0.0.1 (a free port) and serves until Close.
// onMail, when not nil, is called with every message received.
func StartMailSink(onMail func(Mail)) (*MailSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &MailSink{ln: ln, onMail: onMail}
	s.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &sinkSession{s: s}, nil
	}))
	s.srv.Domain = "mx.example.org"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the sink's host:port.
func (s *MailSink) Addr() *net.TCPAddr { return s.ln.Addr().(*net.TCPAddr) }

// Mails returns the messages received so far.
func (s *MailSink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Close stops the server.
func (s *MailSink) Close() error {
	var err error
	s.closeMu.Do(func() { err = s.srv.Close() })
	if errors.Is(err, gosmtp.ErrServerClosed) {
		return nil
	}
	return err
}

type sinkSession struct {
	s    *MailSink
	from string
	to   []string
}

func (ss *sinkSession) Mail(from string, _ *gosmtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, 32<<20))
	if err != nil {
		return fmt.Errorf("reading the message: %w", err)
	}
	m := Mail{From: ss.from, To: ss.to, Data: data}
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, m)
	ss.s.mu.Unlock()
	if ss.s.onMail != nil {
		ss.s.onMail(m)
	}
	ss.from, ss.to = "", nil
	return nil
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }
