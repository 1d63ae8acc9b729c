package misp

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

const key = "tEsTkEy0123456789tEsTkEy0123456789tEsTkE"

// server answers /attributes/restSearch as MISP does: the attribute for
// 192.0.2.66, an empty list otherwise, 403 for a wrong key.
func server(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	attr, err := os.ReadFile("testdata/attribute.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/attributes/restSearch" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != key || r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"name": "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.", "message": "Authentication failed.", "url": "/attributes/restSearch"}`))
			return
		}
		var q struct {
			Value        string `json:"value"`
			ReturnFormat string `json:"returnFormat"`
			Limit        int    `json:"limit"`
		}
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil || q.ReturnFormat != "json" || q.Limit != 1 {
			http.Error(w, `{"message": "bad request"}`, http.StatusBadRequest)
			return
		}
		switch q.Value {
		case "192.0.2.66":
			w.Write(attr)
		case "203.0.113.5":
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		default:
			w.Write([]byte(`{"response": {"Attribute": []}}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestProcess(t *testing.T) {
	srv, _ := server(t)
	found := map[string]string{"source.ip": "192.0.2.66", "misp.attribute_uuid": "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
		"misp.event_uuid": "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", "tags": "misp"}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range m {
			out[a] = b
		}
		out[k] = v
		return out
	}
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]string
	}{
		{"found", nil, map[string]any{"source.ip": "192.0.2.66"}, found},
		{"copy tags", map[string]any{"copy_tags": true, "tag": "in-misp"}, map[string]any{"source.ip": "192.0.2.66"},
			with(found, "tags", "in-misp,tlp:amber,malware:botnet")},
		{"existing kept", nil, map[string]any{"source.ip": "192.0.2.66", "misp.event_uuid": "00000000-0000-4000-8000-000000000000"},
			with(found, "misp.event_uuid", "00000000-0000-4000-8000-000000000000")},
		{"overwrite", map[string]any{"overwrite": true}, map[string]any{"source.ip": "192.0.2.66", "misp.event_uuid": "00000000-0000-4000-8000-000000000000"}, found},
		{"not in MISP", nil, map[string]any{"source.ip": "192.0.2.1"}, map[string]string{"source.ip": "192.0.2.1"}},
		{"no source.ip: unchanged", nil, map[string]any{"destination.ip": "192.0.2.66"}, map[string]string{"destination.ip": "192.0.2.66"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{"misp_url": srv.URL + "/", "misp_key": key}
			maps.Copy(params, tc.params)
			experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.misp.expert", params), experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestErrors(t *testing.T) {
	srv, n := server(t)
	x := experttest.New(t, Name, map[string]any{"misp_url": srv.URL, "misp_key": key})
	for range 3 {
		experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "192.0.2.66"}))
	}
	if n.Load() != 1 {
		t.Errorf("%d requests for 3 events of one address, want 1", n.Load())
	}
	if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "203.0.113.5"})); !topology.IsTransient(err) {
		t.Errorf("503: %v, want a transient error", err)
	}
	bad := experttest.New(t, Name, map[string]any{"misp_url": srv.URL, "misp_key": "wrong"})
	_, err := experttest.Run(t, bad, experttest.Event(t, map[string]any{"source.ip": "192.0.2.66"}))
	if err == nil || topology.IsTransient(err) || !strings.Contains(err.Error(), "403") {
		t.Errorf("wrong key: %v, want a permanent 403 error", err)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"misp_key": key}, Want: "parameter misp_url"},
		{Params: map[string]any{"misp_url": "misp.example.org", "misp_key": key}, Want: "parameter misp_url"},
		{Params: map[string]any{"misp_url": "https://misp.example.org/", "misp_key": "<insert MISP Authkey>"}, Want: "parameter misp_key"},
	})
}

func BenchmarkProcess(b *testing.B) {
	srv, _ := server(b)
	x := experttest.New(b, Name, map[string]any{"misp_url": srv.URL, "misp_key": key})
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.66"}}})
}
