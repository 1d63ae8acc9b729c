package http

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
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
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/topology"
)

var fixedNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// newCollector builds a collector from raw parameters, with a fixed clock,
// short backoff and its log in the returned buffer.
func newCollector(t *testing.T, raw map[string]any) (*Collector, *syncbuf.Buffer) {
	t.Helper()
	p, err := Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return fixedNow }
	logs := &syncbuf.Buffer{}
	c.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	c.client.Backoff = 10 * time.Millisecond
	return c, logs
}

// fetch runs one fetch and returns its reports.
func fetch(t *testing.T, c *Collector) ([]*dho.Report, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*dho.Report
	err := c.Fetch(ctx, func(r *dho.Report) error { out = append(out, r); return nil })
	return out, err
}

func flat(r *dho.Report) string { return string(r.MarshalFlat(dho.FlatOptions{OmitType: true})) }

func TestAuthHeadersAndFeedFields(t *testing.T) {
	var gotAuth, gotHeader, gotUA atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		gotAuth.Store(u + ":" + p)
		gotHeader.Store(r.Header.Get("X-Api-Key"))
		gotUA.Store(r.Header.Get("User-Agent"))
		if u != "alice" || p != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ip\n192.0.2.1\n"))
	}))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{
		"http_url": srv.URL + "/feed.csv", "http_username": "alice", "http_password": "s3cret",
		"http_header": map[string]any{"X-Api-Key": "k1"}, "rate_limit": 0,
		"feed_name": "Test Feed", "feed_provider": "Example", "feed_accuracy": 90,
	})
	reports, err := fetch(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth.Load() != "alice:s3cret" || gotHeader.Load() != "k1" || gotUA.Load() != "intelstream" {
		t.Errorf("auth %v, header %v, user agent %v", gotAuth.Load(), gotHeader.Load(), gotUA.Load())
	}
	if len(reports) != 1 {
		t.Fatalf("%d reports", len(reports))
	}
	want := `{"feed.accuracy": 90.0, "feed.name": "Test Feed", "feed.provider": "Example", "feed.url": "` + srv.URL + `/feed.csv", "raw": "aXAKMTkyLjAuMi4xCg==", "time.observation": "2026-11-20T09:00:00+00:00"}`
	if got := flat(reports[0]); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestConditionalRequests(t *testing.T) {
	for _, tc := range []struct {
		name      string
		validator func(w http.ResponseWriter, r *http.Request) bool // reports "not modified"
	}{
		{"ETag", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("ETag", `"v1"`)
			return r.Header.Get("If-None-Match") == `"v1"`
		}},
		{"Last-Modified", func(w http.ResponseWriter, r *http.Request) bool {
			lm := "Wed, 18 Nov 2026 10:00:00 GMT"
			w.Header().Set("Last-Modified", lm)
			return r.Header.Get("If-Modified-Since") == lm
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests, notModified atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if tc.validator(w, r) {
					notModified.Add(1)
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Write([]byte("data"))
			}))
			defer srv.Close()
			c, logs := newCollector(t, map[string]any{"http_url": srv.URL})
			if r, err := fetch(t, c); err != nil || len(r) != 1 {
				t.Fatalf("first fetch: %d reports, %v", len(r), err)
			}
			if r, err := fetch(t, c); err != nil || len(r) != 0 {
				t.Fatalf("second fetch: %d reports, %v", len(r), err)
			}
			if requests.Load() != 2 || notModified.Load() != 1 {
				t.Errorf("%d requests, %d answered 304", requests.Load(), notModified.Load())
			}
			if !strings.Contains(logs.String(), "not modified") {
				t.Errorf("no log line for the 304:\n%s", logs)
			}
		})
	}
}

// Archives built here, one per format.
func zipOf(t *testing.T, files map[string]string, names ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	zw.Create("folder/")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarOf(t *testing.T, files map[string]string, names ...string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "folder/", Typeflag: tar.TypeDir, Mode: 0o755})
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(files[n]))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = "inner.csv"
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func TestExtraction(t *testing.T) {
	files := map[string]string{"a.csv": "ip\n192.0.2.1\n", "sub/b.csv": "ip\n192.0.2.2\n"}
	zipped := zipOf(t, files, "a.csv", "sub/b.csv")
	tarred := tarOf(t, files, "a.csv", "sub/b.csv")
	plain := []byte("ip\n192.0.2.9\n")
	both := "a.csv=ip\n192.0.2.1\n|sub/b.csv=ip\n192.0.2.2\n"
	for _, tc := range []struct {
		name   string
		body   []byte
		params map[string]any
		want   string // name=content of each report, joined by |
		err    bool
	}{
		{"zip always", zipped, nil, both, false},
		{"zip", zipped, map[string]any{"extract_files": true}, both, false},
		{"tar", tarred, map[string]any{"extract_files": "true"}, both, false},
		{"tar.gz", gzipOf(tarred), map[string]any{"extract_files": true}, both, false},
		{"gzip", gzipOf(plain), map[string]any{"extract_files": true}, "=" + string(plain), false},
		{"gzip not unpacked without extract_files", gzipOf(plain), nil, "=" + string(gzipOf(plain)), false},
		{"plain", plain, nil, "=" + string(plain), false},
		{"only named files", gzipOf(tarred), map[string]any{"extract_file_names": "sub/b.csv"}, "sub/b.csv=ip\n192.0.2.2\n", false},
		{"not an archive", plain, map[string]any{"extract_files": true}, "", true},
		{"too large", zipped, map[string]any{"extract_max_bytes": 20}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(tc.body) }))
			defer srv.Close()
			raw := map[string]any{"http_url": srv.URL + "/x"}
			for k, v := range tc.params {
				raw[k] = v
			}
			c, _ := newCollector(t, raw)
			reports, err := fetch(t, c)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error: %v", err, tc.err)
			}
			var got []string
			for _, r := range reports {
				name := ""
				if v, ok := r.Get("extra.file_name"); ok {
					name = v.(dho.Value).Text()
				}
				if r.Feed.URL != srv.URL+"/x" {
					t.Errorf("feed.url %q", r.Feed.URL)
				}
				got = append(got, name+"="+string(r.Raw))
			}
			if g := strings.Join(got, "|"); g != tc.want {
				t.Errorf("got  %q\nwant %q", g, tc.want)
			}
		})
	}
}

func TestRetryAfter503(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if n == 2 {
			w.WriteHeader(http.StatusBadGateway) // no Retry-After: backoff
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c, logs := newCollector(t, map[string]any{"http_url": srv.URL, "http_timeout_max_tries": 3})
	reports, err := fetch(t, c)
	if err != nil || len(reports) != 1 || string(reports[0].Raw) != "ok" {
		t.Fatalf("reports %d, err %v", len(reports), err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 3 {
		t.Fatalf("%d requests, want 3", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < 900*time.Millisecond {
		t.Errorf("retried %s after a 503 with Retry-After: 1", gap)
	}
	if gap := times[2].Sub(times[1]); gap > 500*time.Millisecond {
		t.Errorf("retried %s after a 502 without Retry-After: the backoff (10ms) took the 503's wait", gap)
	}
	if strings.Count(logs.String(), "trying again") != 2 {
		t.Errorf("log:\n%s", logs)
	}
}

func TestRetriesUsedUp(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "http_timeout_max_tries": 2})
	_, err := fetch(t, c)
	var se *httpclient.StatusError
	if !errors.As(err, &se) || se.Status != 500 || requests.Load() != 2 {
		t.Errorf("err %v after %d requests", err, requests.Load())
	}
	// A Retry-After beyond http_retry_max_wait fails at once.
	requests.Store(0)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ = newCollector(t, map[string]any{"http_url": srv.URL, "http_retry_max_wait": "1m"})
	if _, err := fetch(t, c); err == nil || !strings.Contains(err.Error(), "retry after 1h0m0s") || requests.Load() != 1 {
		t.Errorf("err %v after %d requests", err, requests.Load())
	}
}

// A server that never answers (or stops in the middle of the body) costs
// at most tries × http_timeout_sec.
func TestHangingServer(t *testing.T) {
	for _, midBody := range []bool{false, true} {
		t.Run(map[bool]string{false: "headers", true: "body"}[midBody], func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if midBody {
					w.Header().Set("Content-Length", "100")
					w.Write([]byte("partial"))
					w.(http.Flusher).Flush()
				}
				<-r.Context().Done() // hangs until the client gives up
			}))
			defer srv.Close()
			c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "http_timeout_sec": "100ms", "http_timeout_max_tries": 2})
			start := time.Now()
			_, err := fetch(t, c)
			var te *httpclient.TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("err %v, want a timeout", err)
			}
			if requests.Load() != 2 {
				t.Errorf("%d requests, want 2", requests.Load())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("back"))
	}))
	defer srv.Close()

	// Once: the error is the result of Run, after one request.
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "rate_limit": 0})
	err := c.Run(context.Background(), func(*dho.Report) error { return nil })
	var se *httpclient.StatusError
	if !errors.As(err, &se) || se.Status != 404 || requests.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, requests.Load())
	}

	// Scheduled: the error is logged and the next fetch succeeds.
	requests.Store(0)
	c, logs := newCollector(t, map[string]any{"http_url": srv.URL, "rate_limit": "10ms"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	err = c.Run(ctx, func(r *dho.Report) error {
		got = append(got, string(r.Raw))
		cancel()
		return nil
	})
	if err != nil || len(got) != 1 || got[0] != "back" {
		t.Fatalf("err %v, reports %q", err, got)
	}
	if !strings.Contains(logs.String(), "404 Not Found") {
		t.Errorf("404 not logged:\n%s", logs)
	}
}

func TestScheduleStopsOnCancel(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("x")) // no validators: every fetch is a report
	}))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "rate_limit": "10ms"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	reports := make(chan struct{}, 100)
	go func() {
		done <- c.Run(ctx, func(*dho.Report) error { reports <- struct{}{}; return nil })
	}()
	for range 3 {
		select {
		case <-reports:
		case <-time.After(20 * time.Second):
			t.Fatal("no report")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	n := requests.Load()
	if n < 3 {
		t.Errorf("%d requests", n)
	}
}

func TestEmitErrorStops(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) }))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "rate_limit": "10ms"})
	boom := errors.New("downstream gone")
	if err := c.Run(context.Background(), func(*dho.Report) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run: %v", err)
	}
}

// testPKI is a CA with a server and a client certificate.
type testPKI struct {
	caFile, clientFile, clientKeyFile string
	pool                              *x509.CertPool
	server                            tls.Certificate
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, tmpl *x509.Certificate) ([]byte, []byte) {
		k := key()
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	}
	srvCert, srvKey := issue(2, &x509.Certificate{Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	cliCert, cliKey := issue(3, &x509.Certificate{Subject: pkix.Name{CommonName: "collector"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	p := &testPKI{caFile: filepath.Join(dir, "ca.pem"), clientFile: filepath.Join(dir, "client.pem"), clientKeyFile: filepath.Join(dir, "client.key"), pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	if p.server, err = tls.X509KeyPair(srvCert, srvKey); err != nil {
		t.Fatal(err)
	}
	for f, data := range map[string][]byte{p.caFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), p.clientFile: cliCert, p.clientKeyFile: cliKey} {
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestTLS(t *testing.T) {
	pki := newPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()

	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "ssl_ca_certificate": pki.caFile, "ssl_client_certificate": pki.clientFile, "ssl_client_key": pki.clientKeyFile})
	reports, err := fetch(t, c)
	if err != nil || len(reports) != 1 || string(reports[0].Raw) != "hello collector" {
		t.Fatalf("reports %d, err %v", len(reports), err)
	}

	// Without the CA the server is not trusted, and no retry helps.
	c, logs := newCollector(t, map[string]any{"http_url": srv.URL, "ssl_client_certificate": pki.clientFile, "ssl_client_key": pki.clientKeyFile})
	if _, err := fetch(t, c); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted server: %v", err)
	}
	if strings.Contains(logs.String(), "trying again") {
		t.Errorf("retried a certificate error:\n%s", logs)
	}
	// Without the client certificate the server refuses.
	c, _ = newCollector(t, map[string]any{"http_url": srv.URL, "ssl_ca_certificate": pki.caFile, "http_timeout_max_tries": 1})
	if _, err := fetch(t, c); err == nil {
		t.Error("no client certificate, no error")
	}
	// http_verify_cert false trusts any server.
	c, _ = newCollector(t, map[string]any{"http_url": srv.URL, "http_verify_cert": false, "ssl_client_certificate": pki.clientFile, "ssl_client_key": pki.clientKeyFile})
	if reports, err := fetch(t, c); err != nil || len(reports) != 1 {
		t.Errorf("http_verify_cert false: %v", err)
	}
}

func TestURLFormatting(t *testing.T) {
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		w.Write([]byte("x"))
	}))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL + "/{time[%Y/%m/%Y-%m-%d]}.json", "http_url_formatting": map[string]any{"days": -1}})
	reports, err := fetch(t, c)
	if err != nil || path.Load() != "/2026/11/2026-11-19.json" || reports[0].Feed.URL != srv.URL+"/2026/11/2026-11-19.json" {
		t.Errorf("path %v, err %v", path.Load(), err)
	}
}

func TestFormatURL(t *testing.T) {
	at := time.Date(2026, 3, 5, 7, 8, 9, 123456000, time.UTC)
	for _, tc := range []struct{ in, want string }{
		{"https://x/{time[%Y%m%d]}.txt", "https://x/20260305.txt"},
		{"https://x/{time[%Y/%m/%Y-%m-%d]}", "https://x/2026/03/2026-03-05"},
		{"https://x/{time[%H:%M:%S.%f %j %a %b %y %I%p %%]}", "https://x/07:08:09.123456 064 Thu Mar 26 07AM %"},
		{"https://x/{{literal}}", "https://x/{literal}"},
		{"https://x/plain", "https://x/plain"},
		{"https://x/{time[%U %W %V %u %w]}", "https://x/09 09 10 4 4"},
	} {
		got, err := FormatURL(tc.in, at)
		if err != nil || got != tc.want {
			t.Errorf("FormatURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"https://x/{date}", "https://x/{time[%Y}", "https://x/}", "https://x/{time}"} {
		if got, err := FormatURL(bad, at); err == nil {
			t.Errorf("FormatURL(%q) = %q, want an error", bad, got)
		}
	}
}

func FuzzFormatURL(f *testing.F) {
	for _, s := range []string{"https://x/{time[%Y%m%d]}", "{{}}", "{time[%]}", "{time[]}}", "%Y{", "{time[%f%z%Z%G]}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		FormatURL(s, fixedNow)
	})
}

func TestParameters(t *testing.T) {
	reg, ok := topology.Lookup("intelmq.bots.collectors.http.collector_http")
	if !ok || reg.Spec.Name != Name {
		t.Fatal("not registered under IntelMQ's module name")
	}
	// An IntelMQ configuration, with its names and generic parameters.
	p, err := Spec.ValidateIntelMQ(map[string]any{
		"http_url": "https://example.org/{time[%Y%m%d]}.txt", "http_url_formatting": map[string]any{"days": -1},
		"name": "Feed", "provider": "Provider", "accuracy": 80, "rate_limit": 86400, "http_timeout_sec": 120,
		"extract_files": "true", "logging_level": "INFO",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.New(p); err != nil {
		t.Fatal(err)
	}
	if p.Duration("rate_limit") != 24*time.Hour || p.Duration("http_timeout_sec") != 2*time.Minute || p.String("feed_name") != "Feed" {
		t.Errorf("params %v", p)
	}
	for _, tc := range []map[string]any{
		{"http_url": "ftp://example.org/x"},
		{"http_url": "https://example.org/{date}"},
		{"http_url": "https://example.org/", "http_url_formatting": map[string]any{"fortnights": 1}},
		{"http_url": "https://example.org/", "feed_accuracy": 500},
		{"http_url": "https://example.org/", "ssl_ca_certificate": "/nonexistent/ca.pem"},
	} {
		p, err := Spec.Validate(tc)
		if err == nil {
			_, err = New(p)
		}
		if err == nil {
			t.Errorf("%v accepted", tc)
		}
	}
}

func TestURLFormattingValues(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.Local)
	const dated = "https://example.org/{time[%Y-%m-%d]}.csv"
	for _, tc := range []struct {
		url        string
		formatting any // nil: not given
		want       string
		wantErr    string
	}{
		{dated, nil, "https://example.org/2026-11-24.csv", ""},
		{dated, true, "https://example.org/2026-11-24.csv", ""},
		{dated, "true", "https://example.org/2026-11-24.csv", ""}, // from --set or an environment
		{dated, map[string]any{"days": -1}, "https://example.org/2026-11-23.csv", ""},
		{dated, `{"hours": 24}`, "https://example.org/2026-11-25.csv", ""},
		{"https://example.org/{feed}.csv", false, "https://example.org/{feed}.csv", ""}, // taken as it is
		{"https://example.org/{feed}.csv", true, "", "unknown placeholder"},
		{dated, 5.0, "", "want true, false or a timedelta object"},
		{dated, "yes please", "", "want true, false or a timedelta object"},
	} {
		raw := map[string]any{"http_url": tc.url}
		if tc.formatting != nil {
			raw["http_url_formatting"] = tc.formatting
		}
		p, err := Spec.Validate(raw)
		var c *Collector
		if err == nil {
			c, err = New(p)
		}
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s %v: %v, want an error with %q", tc.url, tc.formatting, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %v: %v", tc.url, tc.formatting, err)
			continue
		}
		c.now = func() time.Time { return now }
		if got, err := c.formatURL(); err != nil || got != tc.want {
			t.Errorf("%s %v: %q, %v; want %q", tc.url, tc.formatting, got, err, tc.want)
		}
	}
}

// TestValidatorsSurviveARestart: a scheduled collector restarted with the
// same state directory asks with the last download's ETag and gets no
// report for content that did not change; one that fetches once always
// downloads.
func TestValidatorsSurviveARestart(t *testing.T) {
	var conditional, requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("192.0.2.1\n"))
	}))
	defer srv.Close()
	state := topology.ContextWithStateDir(context.Background(), t.TempDir())
	run := func(rateLimit string) int {
		ctx, cancel := context.WithCancel(state)
		defer cancel()
		c, _ := newCollector(t, map[string]any{"http_url": srv.URL + "/feed.txt", "rate_limit": rateLimit})
		before := requests.Load()
		go func() { // the first fetch is done when its request was answered
			for requests.Load() == before {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			cancel()
		}()
		var reports int
		if err := c.Run(ctx, func(*dho.Report) error { reports++; return nil }); err != nil {
			t.Fatal(err)
		}
		return reports
	}
	if n := run("1h"); n != 1 {
		t.Fatalf("first run: %d reports, want 1", n)
	}
	if n := run("0"); n != 1 {
		t.Errorf("fetching once: %d reports, want 1 (no conditional request)", n)
	}
	if n := run("1h"); n != 0 {
		t.Errorf("restarted: %d reports, want none (not modified)", n)
	}
	if conditional.Load() != 1 {
		t.Errorf("%d conditional requests, want 1 (the restarted scheduled collector's)", conditional.Load())
	}
}
