package securitytxt

import (
	"context"
	"encoding/pem"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

const (
	expired = "Contact: mailto:old@expired.example\nContact: https://expired.example/report\nExpires: 2020-01-01T00:00:00Z\n"
	legacy  = "Contact: legacy@legacy.example\n"
)

// server is an HTTPS server answering for every host name: the test
// client dials it whatever the host (the certificate is valid for
// example.com and 127.0.0.1). It returns the server, the CA file and a
// request counter.
func server(t testing.TB) (*httptest.Server, string, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		host, _, _ := net.SplitHostPort(r.Host)
		if host == "" {
			host = r.Host
		}
		body := ""
		switch {
		case host == "example.com" && r.URL.Path == "/.well-known/security.txt":
			b, _ := os.ReadFile("testdata/signed.txt")
			body = string(b)
		case host == "127.0.0.1" && r.URL.Path == "/.well-known/security.txt":
			body = expired
		case host == "::1" && r.URL.Path == "/security.txt":
			body = legacy
		}
		if body == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	return srv, ca, &n
}

// build builds the expert with the test CA and a dialer that sends every
// connection to the test server.
func build(t testing.TB, srv *httptest.Server, ca string, params map[string]any) *Expert {
	t.Helper()
	raw := map[string]any{"ca_file": ca}
	maps.Copy(raw, params)
	x := experttest.New(t, "intelmq.bots.experts.securitytxt.expert", raw).(*Expert)
	addr := srv.Listener.Addr().String()
	tr := x.http.HTTP.Transport.(*http.Transport)
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return x
}

func TestProcess(t *testing.T) {
	srv, ca, _ := server(t)
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]string
	}{
		{"first e-mail contact", nil, map[string]any{"source.reverse_dns": "example.com"},
			map[string]string{"source.reverse_dns": "example.com", "source.abuse_contact": "security@example.com"}},
		{"any contact", map[string]any{"only_email_address": false}, map[string]any{"source.reverse_dns": "example.com"},
			map[string]string{"source.reverse_dns": "example.com", "source.abuse_contact": "https://example.com/report-a-vulnerability"}},
		{"URL field", map[string]any{"url_field": "source.url", "contact_field": "extra.security_contact"}, map[string]any{"source.url": "https://example.com/login?x=1"},
			map[string]string{"source.url": "https://example.com/login?x=1", "extra.security_contact": "security@example.com"}},
		{"canonical matches", map[string]any{"check_canonical": true, "check_expired": true}, map[string]any{"source.reverse_dns": "example.com"},
			map[string]string{"source.reverse_dns": "example.com", "source.abuse_contact": "security@example.com"}},
		{"overwrite default", nil, map[string]any{"source.reverse_dns": "example.com", "source.abuse_contact": "old@example.org"},
			map[string]string{"source.reverse_dns": "example.com", "source.abuse_contact": "security@example.com"}},
		{"no overwrite", map[string]any{"overwrite": false}, map[string]any{"source.reverse_dns": "example.com", "source.abuse_contact": "old@example.org"},
			map[string]string{"source.reverse_dns": "example.com", "source.abuse_contact": "old@example.org"}},
		{"no file", nil, map[string]any{"source.reverse_dns": "nofile.example"},
			map[string]string{"source.reverse_dns": "nofile.example"}},
		{"no url field: unchanged", nil, map[string]any{"source.ip": "192.0.2.1"},
			map[string]string{"source.ip": "192.0.2.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			experttest.Expect(t, build(t, srv, ca, tc.params), experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestChecks(t *testing.T) {
	srv, ca, n := server(t)
	// 127.0.0.1's file has an expired e-mail contact and a web contact.
	in := map[string]any{"source.url": "https://" + srv.Listener.Addr().String() + "/"}
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{}, "old@expired.example"},
		{map[string]any{"check_expired": true}, ""},
		{map[string]any{"check_canonical": true}, ""},
		{map[string]any{"only_email_address": false}, "old@expired.example"},
	} {
		tc.params["url_field"] = "source.url"
		e, _ := experttest.Run(t, build(t, srv, ca, tc.params), experttest.Event(t, in))
		if e[0].Source.AbuseContact != tc.want {
			t.Errorf("%v: %q, want %q", tc.params, e[0].Source.AbuseContact, tc.want)
		}
	}
	// The legacy location, when /.well-known/ has none.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	e, _ := experttest.Run(t, build(t, srv, ca, map[string]any{"url_field": "source.url"}),
		experttest.Event(t, map[string]any{"source.url": "https://[::1]:" + port + "/"}))
	if e[0].Source.AbuseContact != "legacy@legacy.example" {
		t.Errorf("legacy /security.txt: %q", e[0].Source.AbuseContact)
	}
	// Cached per host: one request for many events.
	x := build(t, srv, ca, nil)
	before := n.Load()
	for range 5 {
		experttest.Run(t, x, experttest.Event(t, map[string]any{"source.reverse_dns": "example.com"}))
	}
	if got := n.Load() - before; got != 1 {
		t.Errorf("%d requests for 5 events of one host, want 1", got)
	}
}

func TestWithoutCA(t *testing.T) {
	srv, _, _ := server(t)
	x := build(t, srv, "", nil)
	e, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.reverse_dns": "example.com"}))
	if err != nil || e[0].Source.AbuseContact != "" {
		t.Errorf("untrusted certificate accepted: %v %q", err, e[0].Source.AbuseContact)
	}
}

func TestTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() // accepts nothing: the TLS handshake times out
	x := experttest.New(t, Name, map[string]any{"timeout": "200ms", "url_field": "source.url"}).(*Expert)
	_, err = experttest.Run(t, x, experttest.Event(t, map[string]any{"source.url": "https://" + l.Addr().String() + "/"}))
	if !topology.IsTransient(err) {
		t.Errorf("timeout: %v, want a transient error", err)
	}
}

func TestParse(t *testing.T) {
	b, _ := os.ReadFile("testdata/signed.txt")
	f, err := Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Contacts) != 3 || f.Contacts[1] != "mailto:security@example.com" || f.Expires.Year() != 2031 || len(f.Canonical) != 1 {
		t.Errorf("%+v", f)
	}
	if _, err := Parse("# nothing\nExpires: 2031-01-01T00:00:00Z\n"); err == nil {
		t.Error("file without Contact accepted")
	}
	if f, _ := Parse("CONTACT: a@b.example\r\n"); f == nil || f.Contacts[0] != "a@b.example" {
		t.Errorf("case-insensitive field, CRLF: %+v", f)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"url_field": "source.nothing"}, Want: "parameter url_field"},
		{Params: map[string]any{"contact_field": ""}, Want: "parameter contact_field"},
		{Params: map[string]any{"ca_file": "testdata/signed.txt"}, Want: "parameter ca_file"},
	})
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/signed.txt")
	f.Add(string(b))
	f.Add(legacy)
	f.Fuzz(func(t *testing.T, s string) {
		if f, err := Parse(s); err == nil && len(f.Contacts) == 0 {
			t.Fatal("no contact, no error")
		}
	})
}

func BenchmarkProcess(b *testing.B) {
	srv, ca, _ := server(b)
	x := build(b, srv, ca, nil)
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{ReverseDNS: "example.com"}})
}

func TestServerErrorIsRetried(t *testing.T) {
	busy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: busy.Certificate().Raw}), 0o644)
	x := build(t, busy, ca, nil)
	_, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.reverse_dns": "example.com"}))
	if !topology.IsTransient(err) {
		t.Errorf("503: %v, want a transient error", err)
	}
}
