package ripe

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

// server answers as the RIPE database, RIPEstat and an RDAP server do,
// from the files in testdata; requests for anything else get the 404 each
// service gives.
func server(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		resource := r.URL.Query().Get("resource")
		file := ""
		switch {
		case strings.HasPrefix(r.URL.Path, "/abuse-contact/as"):
			file = "db_asn_" + strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/abuse-contact/as"), ".json")
		case strings.HasPrefix(r.URL.Path, "/abuse-contact/"):
			file = "db_ip_" + strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/abuse-contact/"), ".json")
		case r.URL.Path == "/data/abuse-contact-finder/data.json":
			file = "stat_" + resource
		case r.URL.Path == "/data/maxmind-geo-lite/data.json":
			file = "geo_" + resource
		case strings.HasPrefix(r.URL.Path, "/ip/"):
			file = "rdap_ip_" + strings.TrimPrefix(r.URL.Path, "/ip/")
		}
		if strings.Contains(resource, "203.0.113.") {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		b, err := os.ReadFile("testdata/" + file + ".json")
		if err != nil {
			switch {
			case strings.HasPrefix(file, "db_"):
				w.WriteHeader(http.StatusNotFound)
				w.Write([]byte(`{"message":"No abuse contact found for ` + file + `"}`))
			case strings.HasPrefix(file, "stat_") || strings.HasPrefix(file, "geo_"):
				w.Write([]byte(`{"data":{"abuse_contacts":[],"located_resources":[]},"status":"ok"}`))
			default:
				http.NotFound(w, r)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestProcess(t *testing.T) {
	srv, _ := server(t)
	urls := map[string]any{"ripe_db_url": srv.URL, "ripe_stat_url": srv.URL, "rdap_url": srv.URL}
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]string
	}{
		{"IP: DB, stat and geolocation", nil, map[string]any{"source.ip": "192.0.2.1"}, map[string]string{
			"source.ip": "192.0.2.1", "source.abuse_contact": "abuse@net.example,cert@net.example",
			"source.geolocation.cc": "AT", "source.geolocation.city": "Vienna", "source.geolocation.latitude": "48.2085", "source.geolocation.longitude": "16.3721"}},
		{"ASN (older stat form)", nil, map[string]any{"source.asn": 64496}, map[string]string{
			"source.asn": "64496", "source.abuse_contact": "noc@as.example"}},
		{"append to existing", nil, map[string]any{"source.asn": 64496, "source.abuse_contact": "own@example.org"}, map[string]string{
			"source.asn": "64496", "source.abuse_contact": "noc@as.example,own@example.org"}},
		{"replace", map[string]any{"mode": "replace"}, map[string]any{"source.asn": 64496, "source.abuse_contact": "own@example.org"}, map[string]string{
			"source.asn": "64496", "source.abuse_contact": "noc@as.example"}},
		{"append keeps geolocation", nil, map[string]any{"destination.ip": "192.0.2.1", "destination.geolocation.cc": "DE"}, map[string]string{
			"destination.ip": "192.0.2.1", "destination.abuse_contact": "abuse@net.example,cert@net.example",
			"destination.geolocation.cc": "DE", "destination.geolocation.city": "Vienna", "destination.geolocation.latitude": "48.2085", "destination.geolocation.longitude": "16.3721"}},
		{"replace replaces geolocation", map[string]any{"mode": "replace", "query_ripe_db_ip": false, "query_ripe_stat_ip": false},
			map[string]any{"source.ip": "192.0.2.1", "source.geolocation.cc": "DE"}, map[string]string{
				"source.ip": "192.0.2.1", "source.geolocation.cc": "AT", "source.geolocation.city": "Vienna", "source.geolocation.latitude": "48.2085", "source.geolocation.longitude": "16.3721"}},
		{"RDAP only, nested abuse entity", map[string]any{"query_ripe_db_ip": false, "query_ripe_stat_ip": false, "query_ripe_stat_geolocation": false, "query_rdap_ip": true},
			map[string]any{"source.ip": "192.0.2.1"}, map[string]string{"source.ip": "192.0.2.1", "source.abuse_contact": "rdap-abuse@net.example"}},
		{"nothing known, country ?", nil, map[string]any{"source.ip": "198.51.100.1"}, map[string]string{"source.ip": "198.51.100.1"}},
		{"no ASN or IP: unchanged", nil, map[string]any{"source.fqdn": "example.test"}, map[string]string{"source.fqdn": "example.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{}
			maps.Copy(params, urls)
			maps.Copy(params, tc.params)
			experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.ripe.expert", params), experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestCacheAndErrors(t *testing.T) {
	srv, n := server(t)
	x := experttest.New(t, Name, map[string]any{"ripe_db_url": srv.URL, "ripe_stat_url": srv.URL, "rdap_url": srv.URL})
	for range 3 {
		if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "192.0.2.1", "source.asn": 64496})); err != nil {
			t.Fatal(err)
		}
	}
	if n.Load() != 5 {
		t.Errorf("%d requests, want 5 (stat and DB for ASN and IP, geolocation)", n.Load())
	}
	if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "203.0.113.1"})); !topology.IsTransient(err) {
		t.Errorf("503: %v, want a transient error", err)
	}
	srv.Close()
	if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "192.0.2.77"})); !topology.IsTransient(err) {
		t.Errorf("server gone: %v, want a transient error", err)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"mode": "merge"}, Want: "parameter mode"},
		{Params: map[string]any{"ripe_stat_url": "ftp://stat.example"}, Want: "parameter ripe_stat_url"},
		{Params: map[string]any{"timeout": "0s"}, Want: "parameter timeout"},
		{Params: map[string]any{"ca_file": "testdata/db_ip_192.0.2.1.json"}, Want: "parameter ca_file"},
	})
}

func BenchmarkProcess(b *testing.B) {
	srv, _ := server(b)
	x := experttest.New(b, Name, map[string]any{"ripe_db_url": srv.URL, "ripe_stat_url": srv.URL, "rdap_url": srv.URL})
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.1"}}})
}

func FuzzAbuseEmails(f *testing.F) {
	b, _ := os.ReadFile("testdata/rdap_ip_192.0.2.1.json")
	f.Add(b)
	f.Add([]byte(`{"entities":[{"roles":["abuse"],"vcardArray":["vcard",[["email",{},"text",1]]]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r rdapObject
		if json.Unmarshal(b, &r) == nil {
			AbuseEmails(r.Entities)
		}
	})
}
