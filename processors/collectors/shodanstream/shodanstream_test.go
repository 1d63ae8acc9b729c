package shodanstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

const key = "s3cr3t-KEY"

func newCollector(t *testing.T, raw map[string]any) (*Collector, *syncbuf.Buffer) {
	t.Helper()
	p, err := Spec.ValidateIntelMQ(raw, nil)
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

// server is a fake Shodan stream: it checks the key, and serves the
// banners of path in two connections (the first breaks off after two
// lines), so the collector has to reconnect.
func server(t *testing.T, path string) (*httptest.Server, *atomic.Int32) {
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("key") != key {
			http.Error(w, `{"error": "Invalid API key"}`, http.StatusUnauthorized)
			return
		}
		if r.URL.Path != path {
			http.Error(w, "no such stream "+r.URL.Path, http.StatusNotFound)
			return
		}
		n := conns.Add(1)
		if n == 1 {
			fmt.Fprintf(w, "{\"ip_str\": \"192.0.2.1\", \"port\": 80}\n\n{\"ip_str\": \"192.0.2.2\", \"port\": 443}\n")
			return // the stream ends: the collector reconnects
		}
		fmt.Fprintf(w, "{\"ip_str\": \"192.0.2.%d\", \"port\": 22}\n", n+1)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, &conns
}

func collect(t *testing.T, c *Collector, n int) []*dho.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []*dho.Report
	err := c.Run(ctx, func(r *dho.Report) error {
		got = append(got, r)
		if len(got) == n {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Lines already read when ctx ends may still be emitted.
	if len(got) < n {
		t.Fatalf("got %d reports, want %d", len(got), n)
	}
	return got[:n]
}

func TestCountriesStreamReconnects(t *testing.T) {
	srv, conns := server(t, "/shodan/countries/DE,AT")
	c, logs := newCollector(t, map[string]any{
		"api_key": key, "countries": "de, AT", "shodan_stream_url": srv.URL,
		"reconnect_delay": "10ms", "name": "Shodan", "provider": "Shodan",
	})
	got := collect(t, c, 3)
	want := []string{`{"ip_str": "192.0.2.1", "port": 80}`, `{"ip_str": "192.0.2.2", "port": 443}`, `{"ip_str": "192.0.2.3", "port": 22}`}
	for i, r := range got {
		if string(r.Raw) != want[i] {
			t.Errorf("report %d raw %q, want %q", i, r.Raw, want[i])
		}
		if r.Feed.URL != srv.URL+"/shodan/countries/DE,AT" || r.Feed.Name != "Shodan" || r.Time.Observation == nil {
			t.Errorf("report %d: %s", i, r.MarshalFlat(dho.FlatOptions{}))
		}
		if strings.Contains(string(r.MarshalFlat(dho.FlatOptions{})), key) {
			t.Errorf("report %d carries the API key", i)
		}
	}
	if conns.Load() < 2 {
		t.Errorf("%d connections, want a reconnection", conns.Load())
	}
	if strings.Contains(logs.String(), key) {
		t.Errorf("the API key is in the logs:\n%s", logs)
	}
}

func TestAlertAndBanners(t *testing.T) {
	srv, _ := server(t, "/shodan/alert/ABC123")
	c, _ := newCollector(t, map[string]any{"api_key": key, "alert": "ABC123", "shodan_stream_url": srv.URL + "/", "reconnect_delay": "10ms"})
	collect(t, c, 2)

	srv2, _ := server(t, "/shodan/banners")
	c2, _ := newCollector(t, map[string]any{"api_key": key, "shodan_stream_url": srv2.URL, "reconnect_delay": "10ms"})
	if r := collect(t, c2, 1); r[0].Feed.URL != srv2.URL+"/shodan/banners" {
		t.Errorf("feed.url %s", r[0].Feed.URL)
	}
}

func TestWrongKeyRetriesWithoutLeaking(t *testing.T) {
	srv, conns := server(t, "/shodan/banners")
	c, logs := newCollector(t, map[string]any{
		"api_key": "wrong-" + key, "shodan_stream_url": srv.URL,
		"reconnect_delay": "5ms", "reconnect_max_delay": "10ms", "http_timeout_max_tries": 1,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.Run(ctx, func(*dho.Report) error { return errors.New("no report expected") }); err != nil {
		t.Fatal(err)
	}
	if conns.Load() != 0 {
		t.Error("a wrong key was accepted")
	}
	l := logs.String()
	if !strings.Contains(l, "401") || !strings.Contains(l, "reconnecting") {
		t.Errorf("logs:\n%s", l)
	}
	if strings.Contains(l, "wrong-"+key) {
		t.Errorf("the API key is in the logs:\n%s", l)
	}
}

func TestEmitErrorEndsRun(t *testing.T) {
	srv, _ := server(t, "/shodan/banners")
	c, _ := newCollector(t, map[string]any{"api_key": key, "shodan_stream_url": srv.URL})
	boom := errors.New("boom")
	if err := c.Run(context.Background(), func(*dho.Report) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run: %v", err)
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{}, "api_key"},
		{map[string]any{"api_key": "<INSERT your API key>"}, "api_key"},
		{map[string]any{"api_key": key, "countries": "DEU"}, "countries"},
		{map[string]any{"api_key": key, "countries": "DE", "alert": "X"}, "alert"},
		{map[string]any{"api_key": key, "alert": "a/b"}, "alert"},
		{map[string]any{"api_key": key, "shodan_stream_url": "ftp://x"}, "shodan_stream_url"},
		{map[string]any{"api_key": key, "feed_accuracy": 200}, "feed_accuracy"},
	} {
		p, err := Spec.Validate(tc.raw)
		if err == nil {
			_, err = New(p)
		}
		var pe *topology.ParamError
		if err == nil || (!errors.As(err, &pe) && !strings.Contains(err.Error(), strings.TrimPrefix(tc.param, "feed_"))) {
			t.Errorf("%v: err %v, want one naming %s", tc.raw, err, tc.param)
			continue
		}
		if pe != nil && pe.Param != tc.param {
			t.Errorf("%v: error names %s, want %s", tc.raw, pe.Param, tc.param)
		}
	}
}
