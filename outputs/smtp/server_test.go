package smtp

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// mailServer is an in-process SMTP server (go-smtp's) that keeps what it
// receives, offers STARTTLS and AUTH PLAIN, and answers from a script of
// failures.
type mailServer struct {
	srv    *gosmtp.Server
	ln     net.Listener
	addr   string
	caFile string

	mu     sync.Mutex
	mails  []receivedMail
	authed []string
	// dataErr answers DATA with these errors (in turn) before accepting.
	dataErr []*gosmtp.SMTPError
	// rcptErr refuses these recipients for good.
	rcptErr map[string]*gosmtp.SMTPError
	// dropData closes the connection in the middle of DATA, this many times.
	dropData int
	conns    []*gosmtp.Conn

	cert       tls.Certificate
	user, pass string
}

type receivedMail struct {
	from string
	to   []string
	data []byte
}

func newMailServer(t testing.TB, user, pass string) *mailServer {
	t.Helper()
	// httptest's certificate is valid for 127.0.0.1.
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	cert := hs.TLS.Certificates[0]
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	hs.Close()
	s := &mailServer{caFile: caFile, rcptErr: map[string]*gosmtp.SMTPError{}, cert: cert, user: user, pass: pass}
	s.srv = s.newServer()
	s.start(t, "127.0.0.1:0")
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// newServer makes a go-smtp server on the mail store (again after a
// Close, for a restart).
func (s *mailServer) newServer() *gosmtp.Server {
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		return &mailSession{s: s, user: s.user, pass: s.pass}, nil
	}))
	srv.Domain = "mx.example.net"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	return srv
}

func (s *mailServer) start(t testing.TB, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.ln, s.addr = ln, ln.Addr().String()
	go s.srv.Serve(ln)
}

func (s *mailServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *mailServer) received() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.mails...)
}

type mailSession struct {
	s          *mailServer
	user, pass string
	from       string
	to         []string
	authed     bool
}

func (m *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (m *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != m.user || pass != m.pass {
			return errors.New("invalid credentials")
		}
		m.s.mu.Lock()
		m.s.authed = append(m.s.authed, user)
		m.s.mu.Unlock()
		m.authed = true
		return nil
	}), nil
}

func (m *mailSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if m.user != "" && !m.authed {
		return gosmtp.ErrAuthRequired
	}
	m.from = from
	return nil
}

func (m *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if err := m.s.rcptErr[to]; err != nil {
		return err
	}
	m.to = append(m.to, to)
	return nil
}

func (m *mailSession) Data(r io.Reader) error {
	m.s.mu.Lock()
	if m.s.dropData > 0 {
		m.s.dropData--
		c := m.s.conns[len(m.s.conns)-1]
		m.s.mu.Unlock()
		io.CopyN(io.Discard, r, 100)
		c.Conn().Close()
		return errors.New("dropped")
	}
	var fail *gosmtp.SMTPError
	if len(m.s.dataErr) > 0 {
		fail, m.s.dataErr = m.s.dataErr[0], m.s.dataErr[1:]
	}
	m.s.mu.Unlock()
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if fail != nil {
		return fail
	}
	m.s.mu.Lock()
	m.s.mails = append(m.s.mails, receivedMail{from: m.from, to: m.to, data: data})
	m.s.mu.Unlock()
	return nil
}

func (m *mailSession) Reset()        { m.from, m.to = "", nil }
func (m *mailSession) Logout() error { return nil }
