package httpstatus

import (
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func server(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("hello"))
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/gone":
			http.Error(w, "gone", http.StatusGone)
		case "/nohead":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.Write([]byte("get only"))
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestProcess(t *testing.T) {
	srv, _ := server(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + l.Addr().String() + "/"
	l.Close()
	tests := []struct {
		name   string
		params map[string]any
		url    string
		extra  map[string]any
		want   map[string]string
	}{
		{"online", nil, "/ok", nil, map[string]string{"status": "online", "extra.http_status": "200"}},
		{"redirect followed", nil, "/moved", nil, map[string]string{"status": "online", "extra.http_status": "200"}},
		{"offline 410", nil, "/gone", nil, map[string]string{"status": "offline", "extra.http_status": "410", "extra.reason": "Gone"}},
		{"own success codes", map[string]any{"success_status_codes": "418"}, "/teapot", nil, map[string]string{"status": "online", "extra.http_status": "418"}},
		{"own success codes exclude 200", map[string]any{"success_status_codes": []any{"204"}}, "/ok", nil,
			map[string]string{"status": "offline", "extra.http_status": "200", "extra.reason": "OK"}},
		{"HEAD falls back to GET", map[string]any{"method": "HEAD"}, "/nohead", nil, map[string]string{"status": "online", "extra.http_status": "200"}},
		{"connection refused", nil, closed, nil, map[string]string{"status": "offline", "extra.reason": "*connection refused*"}},
		{"timeout is offline", map[string]any{"timeout": "100ms"}, "/slow", nil, map[string]string{"status": "offline", "extra.reason": "*Timeout*"}},
		{"overwrite default", nil, "/ok", map[string]any{"status": "unknown"}, map[string]string{"status": "online", "extra.http_status": "200"}},
		{"no overwrite", map[string]any{"overwrite": false}, "/gone", map[string]any{"status": "unknown", "extra.reason": "old"},
			map[string]string{"status": "unknown", "extra.reason": "old", "extra.http_status": "410"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{}
			maps.Copy(params, tc.params)
			x := experttest.New(t, "intelmq.bots.experts.http.expert_status", params)
			u := tc.url
			if strings.HasPrefix(u, "/") {
				u = srv.URL + u
			}
			in := map[string]any{"source.url": u}
			for k, v := range tc.extra {
				in[k] = v
			}
			out, err := experttest.Run(t, x, experttest.Event(t, in))
			if err != nil || len(out) != 1 {
				t.Fatal(err, len(out))
			}
			got := experttest.Fields(out[0])
			for k, w := range tc.want {
				g := got[k]
				if p, ok := strings.CutPrefix(w, "*"); ok {
					if !strings.Contains(g, strings.TrimSuffix(p, "*")) {
						t.Errorf("%s = %q, want it to contain %q", k, g, strings.Trim(w, "*"))
					}
				} else if g != w {
					t.Errorf("%s = %q, want %q", k, g, w)
				}
			}
			if _, ok := tc.want["extra.http_status"]; !ok {
				if _, has := got["extra.http_status"]; has {
					t.Errorf("extra.http_status set without an answer: %v", got)
				}
			}
		})
	}
}

func TestUnchangedAndCache(t *testing.T) {
	srv, n := server(t)
	x := experttest.New(t, Name, map[string]any{"field": "extra.link"})
	experttest.Expect(t, x, experttest.Event(t, map[string]any{"source.url": srv.URL + "/ok"}), map[string]string{"source.url": srv.URL + "/ok"})
	for range 3 {
		experttest.Run(t, x, experttest.Event(t, map[string]any{"extra.link": srv.URL + "/gone"}))
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1 (no field: none; the same URL three times: one)", n.Load())
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"field": "nope"}, Want: "parameter field"},
		{Params: map[string]any{"success_status_codes": "20x"}, Want: "parameter success_status_codes"},
		{Params: map[string]any{"method": "POST"}, Want: "parameter method"},
	})
}

func BenchmarkProcess(b *testing.B) {
	srv, _ := server(b)
	x := experttest.New(b, Name, nil)
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{URL: []string{srv.URL + "/ok"}}})
}
