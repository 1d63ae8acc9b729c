package stomp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

const queue = "/queue/n6"

func newCollector(t *testing.T, addr string, raw map[string]any) (*Collector, *syncbuf.Buffer) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p, err := Spec.Validate(mergeParams(map[string]any{
		"server": host, "port": port, "exchange": queue, "use_ssl": false,
		"auth_by_ssl_client_certificate": false, "reconnect_delay": "20ms", "reconnect_max_delay": "100ms",
		"feed_name": "n6", "feed_provider": "CERT.PL",
	}, raw))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	c.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	return c, logs
}

func mergeParams(base, over map[string]any) map[string]any {
	for k, v := range over {
		base[k] = v
	}
	return base
}

// running is a collector running in the background.
type running struct {
	reports chan *dho.Report
	cancel  context.CancelFunc
	done    chan error
}

func start(c *Collector) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{reports: make(chan *dho.Report, 100), cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- c.Run(ctx, func(rep *dho.Report) error { r.reports <- rep; return nil })
	}()
	return r
}

func (r *running) next(t *testing.T) string {
	t.Helper()
	select {
	case rep := <-r.reports:
		return string(rep.Raw)
	case <-time.After(10 * time.Second):
		t.Fatal("no report within 10s")
		return ""
	}
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestMessagesInOrder(t *testing.T) {
	for _, mode := range []string{"client-individual", "client"} {
		b := startBroker(t, "127.0.0.1:0", nil)
		addr := b.addr()
		c, _ := newCollector(t, addr, map[string]any{"ack_mode": mode})
		var mu sync.Mutex
		var flushes []int // acknowledged messages at each flush
		c.flush = func(context.Context) error {
			mu.Lock()
			flushes = append(flushes, len(b.ackedBodies()))
			mu.Unlock()
			return nil
		}
		b.publish("one\n", "two", "three  ")
		r := start(c)
		first := <-r.reports
		for i, want := range []string{"one", "two", "three"} {
			got := first
			if i > 0 {
				got = <-r.reports
			}
			if string(got.Raw) != want {
				t.Errorf("%s: report %d: raw %q, want %q", mode, i, got.Raw, want)
			}
		}
		host, port, _ := net.SplitHostPort(addr)
		if first.Feed.Name != "n6" || first.Feed.Provider != "CERT.PL" || first.Feed.URL != "stomp://"+host+":"+port+"/"+queue {
			t.Errorf("report %s", first.MarshalFlat(dho.FlatOptions{}))
		}
		if !first.Has("time.observation") {
			t.Error("no time.observation")
		}
		// Messages published while the collector runs arrive too.
		b.publish("four", "five")
		if got := r.next(t) + r.next(t); got != "fourfive" {
			t.Errorf("got %q", got)
		}
		waitAcked(t, b, "one\n", "two", "three  ", "four", "five")
		r.stop(t)
		mu.Lock()
		if len(flushes) < 2 || flushes[0] != 0 {
			t.Errorf("%s: acknowledged messages at each flush: %v", mode, flushes)
		}
		mu.Unlock()
	}
}

// waitAcked waits until the broker saw exactly want acknowledged.
func waitAcked(t *testing.T, b *broker, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(b.ackedBodies(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("acknowledged %q, want %q", b.ackedBodies(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A message whose report was not flushed is not acknowledged: when the
// collector dies during Flush, the server delivers it to the next one.
func TestUnflushedMessageRedelivered(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0", nil)
	addr := b.addr()
	b.prefetch = 1 // one message per batch
	b.publish("m1", "m2", "m3")

	c1, _ := newCollector(t, addr, nil)
	flushing := make(chan struct{}, 10)
	var calls atomic.Int32
	c1.flush = func(ctx context.Context) error {
		if calls.Add(1) == 1 {
			return nil // m1 is in the broker
		}
		flushing <- struct{}{}
		<-ctx.Done() // the broker never answers for m2; the node is stopped
		return ctx.Err()
	}
	r1 := start(c1)
	if got := r1.next(t) + r1.next(t); got != "m1m2" {
		t.Fatalf("first collector got %q", got)
	}
	<-flushing
	waitAcked(t, b, "m1")
	r1.stop(t)

	c2, _ := newCollector(t, addr, nil)
	r2 := start(c2)
	if got := r2.next(t); got != "m2" {
		t.Errorf("second collector got %q first, want the unacknowledged m2", got)
	}
	if got := r2.next(t); got != "m3" {
		t.Errorf("second collector got %q second, want m3", got)
	}
	waitAcked(t, b, "m1", "m2", "m3")
	r2.stop(t)
}

// A failed flush (the broker refused the reports) ends Run with the error
// and leaves the messages unacknowledged; so does a failed emit.
func TestFlushErrorEndsRun(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0", nil)
	addr := b.addr()
	b.publish("m1")
	c, _ := newCollector(t, addr, nil)
	boom := errors.New("broker down")
	c.flush = func(context.Context) error { return boom }
	err := c.Run(context.Background(), func(*dho.Report) error { return nil })
	if !errors.Is(err, boom) {
		t.Errorf("Run: %v", err)
	}
	c2, _ := newCollector(t, addr, nil)
	if err := c2.Run(context.Background(), func(*dho.Report) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run with a failing emit: %v", err)
	}
	if got := b.ackedBodies(); len(got) != 0 {
		t.Errorf("acknowledged %q", got)
	}
	c3, _ := newCollector(t, addr, nil)
	r := start(c3)
	if got := r.next(t); got != "m1" {
		t.Errorf("got %q after a failed flush, want m1 again", got)
	}
	r.stop(t)
}

func TestReconnectAfterServerRestart(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0", nil)
	addr := b.addr()
	c, logs := newCollector(t, addr, nil)
	r := start(c)
	b.publish("before")
	if got := r.next(t); got != "before" {
		t.Fatalf("got %q", got)
	}
	b.stop() // the server goes away, connections cut
	time.Sleep(100 * time.Millisecond)
	b2 := startBroker(t, addr, nil) // and comes back, empty
	b2.publish("after")
	if got := r.next(t); got != "after" {
		t.Errorf("got %q after the restart", got)
	}
	waitAcked(t, b2, "after")
	r.stop(t)
	if !strings.Contains(logs.String(), "reconnecting") {
		t.Errorf("no reconnection logged:\n%s", logs)
	}
}

func TestServerDownAtStartAndLogin(t *testing.T) {
	// A port with nothing listening: the collector keeps trying, and
	// gets through once a server is there (with the right login).
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, logs := newCollector(t, addr, map[string]any{"username": "u", "password": "p"})
	r := start(c)
	time.Sleep(200 * time.Millisecond)
	b := startBroker(t, addr, nil)
	b.user, b.pass = "u", "p"
	b.publish("late")
	if got := r.next(t); got != "late" {
		t.Errorf("got %q", got)
	}
	r.stop(t)
	if n := strings.Count(logs.String(), "reconnecting"); n < 2 {
		t.Errorf("%d reconnection attempts logged", n)
	}
	// A wrong password: refused, logged, retried, no report.
	c2, logs2 := newCollector(t, addr, map[string]any{"username": "u", "password": "wrong"})
	b.publish("not for you")
	r2 := start(c2)
	time.Sleep(300 * time.Millisecond)
	r2.stop(t)
	if len(r2.reports) != 0 || !strings.Contains(logs2.String(), "bad login") {
		t.Errorf("%d reports; log:\n%s", len(r2.reports), logs2)
	}
}

type testPKI struct {
	dir                       string
	caPool                    *x509.CertPool
	server                    tls.Certificate
	caFile, certFile, keyFile string
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	p := &testPKI{dir: dir, caPool: x509.NewCertPool()}
	p.caPool.AddCert(caCert)
	sc, sk := issue(2, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	if p.server, err = tls.X509KeyPair(sc, sk); err != nil {
		t.Fatal(err)
	}
	cc, ck := issue(3, "client", x509.ExtKeyUsageClientAuth)
	write := func(name string, data []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	p.caFile = write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	p.certFile, p.keyFile = write("client.pem", cc), write("client.key", ck)
	return p
}

// TLS with client certificate authentication, as n6 uses it.
func TestTLSClientCertificate(t *testing.T) {
	pki := newPKI(t)
	serverConf := &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.caPool, ClientAuth: tls.RequireAndVerifyClientCert}
	b := startBroker(t, "127.0.0.1:0", serverConf)
	addr := b.addr()
	b.publish("secret")

	c, _ := newCollector(t, addr, map[string]any{"use_ssl": true, "auth_by_ssl_client_certificate": true,
		"ssl_ca_certificate": pki.caFile, "ssl_client_certificate": pki.certFile, "ssl_client_certificate_key": pki.keyFile})
	r := start(c)
	if got := r.next(t); got != "secret" {
		t.Errorf("got %q", got)
	}
	r.stop(t)

	// Without a client certificate the server refuses the connection: no
	// report, and the collector keeps trying.
	c2, logs := newCollector(t, addr, map[string]any{"use_ssl": true, "ssl_ca_certificate": pki.caFile})
	b.publish("not for you")
	r2 := start(c2)
	select {
	case rep := <-r2.reports:
		t.Errorf("report %q without a client certificate", rep.Raw)
	case <-time.After(300 * time.Millisecond):
	}
	r2.stop(t)
	if !strings.Contains(logs.String(), "reconnecting") {
		t.Errorf("refusal not logged:\n%s", logs)
	}

	// A server certificate from another CA is refused.
	other := newPKI(t)
	c3, logs3 := newCollector(t, addr, map[string]any{"use_ssl": true, "auth_by_ssl_client_certificate": true,
		"ssl_ca_certificate": other.caFile, "ssl_client_certificate": pki.certFile, "ssl_client_certificate_key": pki.keyFile})
	r3 := start(c3)
	time.Sleep(200 * time.Millisecond)
	r3.stop(t)
	if !strings.Contains(logs3.String(), "certificate") {
		t.Errorf("unknown CA not logged:\n%s", logs3)
	}
}

func TestParameters(t *testing.T) {
	reg, ok := topology.Lookup("intelmq.bots.collectors.stomp.collector")
	if !ok || reg.Spec.Name != Name {
		t.Fatal("not registered under IntelMQ's module name")
	}
	pki := newPKI(t)
	// An IntelMQ configuration of the n6 feed, with its names.
	p, err := Spec.ValidateIntelMQ(map[string]any{
		"server": "n6stream.cert.pl", "port": 61614, "exchange": "/exchange/my.org/#", "heartbeat": 60000,
		"ssl_ca_certificate": pki.caFile, "ssl_client_certificate": pki.certFile, "ssl_client_certificate_key": pki.keyFile,
		"name": "n6", "provider": "CERT.PL", "logging_level": "INFO",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.New(p)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.(*Collector); c.heartbeat != time.Minute || c.feedURL != "stomp://n6stream.cert.pl:61614//exchange/my.org/#" {
		t.Errorf("collector %+v", c)
	}
	base := func(kv ...any) map[string]any {
		m := map[string]any{"exchange": "/queue/x", "auth_by_ssl_client_certificate": false}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for param, raw := range map[string]map[string]any{
		"exchange":                       {"auth_by_ssl_client_certificate": false},
		"port":                           base("port", 70000),
		"heartbeat":                      base("heartbeat", -1),
		"server":                         base("server", ""),
		"ssl_ca_certificate":             base("ssl_ca_certificate", filepath.Join(pki.dir, "missing.pem")),
		"ssl_client_certificate":         {"exchange": "/queue/x"}, // certificate auth by default, no certificate
		"ssl_client_certificate_key":     {"exchange": "/queue/x", "ssl_client_certificate": pki.certFile},
		"auth_by_ssl_client_certificate": {"exchange": "/queue/x", "use_ssl": false},
		"feed_accuracy":                  base("feed_accuracy", 500),
		"ack_batch":                      base("ack_batch", 0),
	} {
		p, err := Spec.Validate(raw)
		if err == nil {
			_, err = New(p)
		}
		var perr *topology.ParamError
		if err == nil {
			t.Errorf("%v accepted", raw)
		} else if param != "feed_accuracy" && (!errors.As(err, &perr) || perr.Param != param) {
			t.Errorf("%v: error %v does not name %s", raw, err, param)
		}
	}
	// A key that does not match the certificate.
	p, _ = Spec.Validate(map[string]any{"exchange": "/queue/x", "ssl_client_certificate": pki.certFile, "ssl_client_certificate_key": newPKI(t).keyFile})
	if _, err := New(p); err == nil {
		t.Error("mismatched key accepted")
	}
}
