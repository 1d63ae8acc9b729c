package httpstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

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
	c.now = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }
	logs := &syncbuf.Buffer{}
	c.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	c.client.Backoff = 10 * time.Millisecond
	return c, logs
}

// collectN runs c until it emitted n reports (then cancels) and returns
// their raw values; it fails the test when Run does not end in time.
func collectN(t *testing.T, c *Collector, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	err := c.Run(ctx, func(r *dho.Report) error {
		if r.Feed.URL != c.url || r.Time.Observation == nil {
			t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
		}
		got = append(got, string(r.Raw))
		if len(got) == n {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(got) != n {
		t.Fatalf("got %d reports before the deadline: %q", len(got), got)
	}
	return got
}

func TestLinesAndReconnect(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := conns.Add(1)
		fmt.Fprintf(w, "  {\"conn\": %d, \"line\": 1}  \r\n\n\n", n) // keep-alive newlines in between
		w.(http.Flusher).Flush()
		fmt.Fprintf(w, "{\"conn\": %d, \"line\": 2}\n", n)
		// the handler returns: the server ends the stream
	}))
	defer srv.Close()
	c, logs := newCollector(t, map[string]any{"http_url": srv.URL, "reconnect_delay": "10ms", "feed_name": "Stream"})
	got := collectN(t, c, 4)
	want := []string{`{"conn": 1, "line": 1}`, `{"conn": 1, "line": 2}`, `{"conn": 2, "line": 1}`, `{"conn": 2, "line": 2}`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if !strings.Contains(logs.String(), "stream ended, reconnecting") {
		t.Errorf("log:\n%s", logs)
	}
}

func TestNoStrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("  a  \r\nlast line without newline"))
	}))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "strip_lines": false, "reconnect_delay": "10ms"})
	if got := collectN(t, c, 2); got[0] != "  a  " || got[1] != "last line without newline" {
		t.Errorf("got %q", got)
	}
}

// A connection that breaks (the server closes it in the middle of a line)
// or falls silent is replaced by a new one.
func TestBrokenAndSilentStreams(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch conns.Add(1) {
		case 1: // breaks: the connection is closed in the middle of a line
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			buf.WriteString("a\r\nfirst\npart\r\n")
			buf.Flush()
			conn.Close()
		case 2: // falls silent after a line
			w.Write([]byte("second\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case 3:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte("third\n"))
		}
	}))
	defer srv.Close()
	c, logs := newCollector(t, map[string]any{"http_url": srv.URL, "reconnect_delay": "10ms", "http_timeout_sec": "200ms", "http_timeout_max_tries": 1})
	got := collectN(t, c, 3)
	if strings.Join(got, ",") != "first,second,third" {
		t.Errorf("got %q", got)
	}
	l := logs.String()
	if !strings.Contains(l, "stream failed") || !strings.Contains(l, "silent for 200ms") || !strings.Contains(l, "503") {
		t.Errorf("log:\n%s", l)
	}
}

func TestLongLinesSkipped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("short\n" + strings.Repeat("x", 200<<10) + "\n" + strings.Repeat("y", 100) + "\nend\n"))
	}))
	defer srv.Close()
	c, logs := newCollector(t, map[string]any{"http_url": srv.URL, "max_line_bytes": 100, "reconnect_delay": "10ms"})
	got := collectN(t, c, 3)
	if got[0] != "short" || got[1] != strings.Repeat("y", 100) || got[2] != "end" {
		t.Errorf("got %d reports, first %.20q", len(got), got)
	}
	if !strings.Contains(logs.String(), "line too long") {
		t.Errorf("log:\n%s", logs)
	}
}

func TestBackoffGrowsAndStopsOnCancel(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		http.Error(w, "gone", http.StatusNotFound)
	}))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL, "reconnect_delay": "20ms", "reconnect_max_delay": "80ms"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, func(*dho.Report) error { return nil }) }()
	for {
		mu.Lock()
		n := len(times)
		mu.Unlock()
		if n >= 5 {
			break
		}
		time.Sleep(5 * time.Millisecond)
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
	mu.Lock()
	defer mu.Unlock()
	// waits 20, 40, 80, 80 ms: the later gaps are longer than the first
	if g1, g4 := times[1].Sub(times[0]), times[4].Sub(times[3]); g4 < 70*time.Millisecond || g1 > g4 {
		t.Errorf("gaps %s then %s", g1, g4)
	}
}

func TestEmitErrorEndsRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("a\n")) }))
	defer srv.Close()
	c, _ := newCollector(t, map[string]any{"http_url": srv.URL})
	boom := errors.New("downstream gone")
	if err := c.Run(context.Background(), func(*dho.Report) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run: %v", err)
	}
}

func TestParameters(t *testing.T) {
	reg, ok := topology.Lookup("intelmq.bots.collectors.http.collector_http_stream")
	if !ok || reg.Spec.Name != Name {
		t.Fatal("not registered under IntelMQ's module name")
	}
	p, err := Spec.ValidateIntelMQ(map[string]any{"http_url": "https://example.org/stream", "strip_lines": true, "name": "Feed", "rate_limit": 3600, "http_timeout_sec": 60}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.New(p); err != nil {
		t.Fatal(err)
	}
	p, _ = Spec.Validate(map[string]any{"http_url": "file:///etc/passwd"})
	if _, err := New(p); err == nil {
		t.Error("file URL accepted")
	}
}
