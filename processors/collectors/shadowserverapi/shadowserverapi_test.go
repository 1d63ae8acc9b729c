package shadowserverapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

const (
	testKey    = "key-123"
	testSecret = "s3cr3t"
)

// fakeAPI plays Shadowserver's reports API: it refuses a request whose
// HMAC2 header is not the HMAC-SHA256 of the body under the key's secret.
type fakeAPI struct {
	mu       sync.Mutex
	entries  []Entry
	files    map[string]string // id → content
	failing  map[string]bool   // ids whose download fails with 500
	requests []map[string]any  // the list requests' bodies
	refused  int
	*httptest.Server
}

func newFakeAPI(t *testing.T) *fakeAPI {
	a := &fakeAPI{files: map[string]string{}, failing: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api2/reports/list", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write(body)
		want := hex.EncodeToString(m.Sum(nil))
		var req map[string]any
		a.mu.Lock()
		defer a.mu.Unlock()
		if err := json.Unmarshal(body, &req); err != nil || req["apikey"] != testKey || !hmac.Equal([]byte(r.Header.Get("HMAC2")), []byte(want)) {
			a.refused++
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"authentication failed"}`))
			return
		}
		a.requests = append(a.requests, req)
		json.NewEncoder(w).Encode(a.entries)
	})
	mux.HandleFunc("GET /dl/{id}", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		id := r.PathValue("id")
		content, ok := a.files[id]
		switch {
		case a.failing[id]:
			w.WriteHeader(http.StatusInternalServerError)
		case !ok:
			http.NotFound(w, r)
		default:
			w.Write([]byte(content))
		}
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func (a *fakeAPI) add(id, typ, file, content string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, Entry{ID: id, Type: typ, File: file, Timestamp: "2026-11-19", Report: "example"})
	a.files[id] = content
}

func newCollector(t *testing.T, a *fakeAPI, raw map[string]any) (*Collector, *syncbuf.Buffer) {
	t.Helper()
	params := map[string]any{"api_key": testKey, "secret": testSecret, "api_url": a.URL + "/api2/", "download_url": a.URL + "/dl", "http_timeout_max_tries": 1}
	for k, v := range raw {
		params[k] = v
	}
	p, err := Spec.Validate(params)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }
	logs := &syncbuf.Buffer{}
	c.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	return c, logs
}

func fetch(t *testing.T, c *Collector) ([]string, error) {
	t.Helper()
	var got []string
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := c.Fetch(ctx, func(r *dho.Report) error {
		name, _ := r.Get("extra.file_name")
		got = append(got, name.(dho.Value).Text()+"="+string(r.Raw))
		return nil
	})
	return got, err
}

func TestListAndDownload(t *testing.T) {
	a := newFakeAPI(t)
	a.add("id1", "scan_http", "2026-11-19-scan_http-example-geo.csv", "timestamp,ip\n")
	a.add("id2", "event4_sinkhole", "2026-11-19-event4_sinkhole-example-geo.csv", "timestamp,src_ip\n")
	c, _ := newCollector(t, a, map[string]any{"reports": "example,other", "feed_name": "Shadowserver", "rate_limit": 0})
	got, err := fetch(t, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-11-19-scan_http-example-geo.csv=timestamp,ip\n", "2026-11-19-event4_sinkhole-example-geo.csv=timestamp,src_ip\n"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	req := a.requests[0]
	if req["date"] != "2026-11-18:2026-11-20" || !slices.Equal(toStrings(req["reports"]), []string{"example", "other"}) {
		t.Errorf("list request %v", req)
	}
	// The second fetch lists the same reports and sends none again; a new
	// one is sent.
	a.add("id3", "scan_ftp", "2026-11-20-scan_ftp-example-geo.csv", "x\n")
	if got, err := fetch(t, c); err != nil || len(got) != 1 || !strings.HasPrefix(got[0], "2026-11-20-scan_ftp") {
		t.Errorf("second fetch: %q, %v", got, err)
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// The fake API checks the signature, so a wrong secret proves that the
// right one makes a signature Shadowserver accepts.
func TestWrongSecretRefused(t *testing.T) {
	a := newFakeAPI(t)
	a.add("id1", "scan_http", "a.csv", "x")
	c, _ := newCollector(t, a, map[string]any{"secret": "wrong"})
	got, err := fetch(t, c)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "authentication failed") || len(got) != 0 {
		t.Errorf("got %q, err %v", got, err)
	}
	if a.refused != 1 {
		t.Errorf("%d refused", a.refused)
	}
}

func TestSign(t *testing.T) {
	// RFC 4231 test case 2: key "Jefe".
	got := Sign("Jefe", []byte("what do ya want for nothing?"))
	if got != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Errorf("Sign = %s", got)
	}
}

func TestTypesCountryAndFailures(t *testing.T) {
	a := newFakeAPI(t)
	a.add("id1", "scan_http", "http.csv", "h")
	a.add("id2", "scan_ftp", "ftp.csv", "f")
	a.add("id3", "scan_http", "http2.csv", "h2")
	a.failing["id3"] = true
	c, logs := newCollector(t, a, map[string]any{"types": []any{"scan_http"}, "country": "austria"})
	got, err := fetch(t, c)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 report downloads failed: http2.csv") {
		t.Errorf("err %v", err)
	}
	if !slices.Equal(got, []string{"http.csv=h"}) {
		t.Errorf("got %q", got)
	}
	if !strings.Contains(logs.String(), "report download failed") {
		t.Errorf("log:\n%s", logs)
	}
	if r := toStrings(a.requests[0]["reports"]); !slices.Equal(r, []string{"austria"}) {
		t.Errorf("reports %q", r)
	}
	// The failed one is tried again on the next fetch.
	a.failing["id3"] = false
	if got, err := fetch(t, c); err != nil || !slices.Equal(got, []string{"http2.csv=h2"}) {
		t.Errorf("retry: %q, %v", got, err)
	}
}

func TestErrorAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"error": "no such report list"}`))
	}))
	defer srv.Close()
	p, _ := Spec.Validate(map[string]any{"api_key": "k", "secret": "s", "api_url": srv.URL})
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.SetLogger(slog.New(slog.DiscardHandler))
	if _, err := fetch(t, c); err == nil || !strings.Contains(err.Error(), "no such report list") {
		t.Errorf("err %v", err)
	}
}

func TestScheduled(t *testing.T) {
	a := newFakeAPI(t)
	a.add("id1", "scan_http", "a.csv", "a")
	c, _ := newCollector(t, a, map[string]any{"rate_limit": "10ms"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	err := c.Run(ctx, func(r *dho.Report) error {
		got = append(got, string(r.Raw))
		if len(got) == 1 {
			a.add("id2", "scan_http", "b.csv", "b") // appears later
		} else {
			cancel()
		}
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("got %q, err %v", got, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.requests) < 2 {
		t.Errorf("%d list requests", len(a.requests))
	}
}

func TestParameters(t *testing.T) {
	reg, ok := topology.Lookup("intelmq.bots.collectors.shadowserver.collector_reports_api")
	if !ok || reg.Spec.Name != Name {
		t.Fatal("not registered under IntelMQ's module name")
	}
	p, err := Spec.ValidateIntelMQ(map[string]any{"apikey": "k", "secret": "s", "reports": "austria, vienna", "types": "scan_http,scan_ftp", "rate_limit": 86400, "name": "Shadowserver"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Strings("reports"), []string{"austria", "vienna"}) || p.String("api_key") != "k" {
		t.Errorf("params %v", p)
	}
	if _, err := reg.New(p); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []map[string]any{
		{"secret": "s"},
		{"api_key": "", "secret": "s"},
		{"api_key": "k", "secret": "s", "api_url": "ftp://x/"},
		{"api_key": "k", "secret": "s", "days": -1},
	} {
		p, err := Spec.Validate(raw)
		if err == nil {
			_, err = New(p)
		}
		if err == nil {
			t.Errorf("%v accepted", raw)
		}
	}
}

// TestSentReportsSurviveARestart: a collector restarted with the same state
// directory does not send the reports it sent before.
func TestSentReportsSurviveARestart(t *testing.T) {
	a := newFakeAPI(t)
	a.add("id1", "scan_http", "2026-11-19-scan_http-example-geo.csv", "timestamp,ip\n")
	ctx := topology.ContextWithStateDir(context.Background(), t.TempDir())
	for run, want := range []int{1, 0} {
		c, _ := newCollector(t, a, map[string]any{"reports": "example", "rate_limit": 0})
		var reports int
		if err := c.Run(ctx, func(*dho.Report) error { reports++; return nil }); err != nil {
			t.Fatal(err)
		}
		if reports != want {
			t.Errorf("run %d: %d reports, want %d", run+1, reports, want)
		}
	}
}
