package gethostbyname

import (
	"maps"
	"testing"

	"github.com/miekg/dns"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dnstest"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

func server(t testing.TB) *dnstest.Server {
	s := dnstest.Start(t,
		"www.example.test. 300 IN A 192.0.2.10",
		"www.example.test. 300 IN A 192.0.2.11",
		"www.example.test. 300 IN AAAA 2001:db8::10",
		"v6only.example.test. 300 IN AAAA 2001:db8::11",
		"mail.example.test. 300 IN CNAME www.example.test.",
		"mail.example.test. 300 IN A 192.0.2.10",
		"dst.example.test. 300 IN A 198.51.100.1",
	)
	s.Fail("broken.example.test.", dns.RcodeServerFailure)
	s.Fail("refused.example.test.", dns.RcodeRefused)
	return s
}

func TestProcess(t *testing.T) {
	srv := server(t)
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]string
	}{
		{"fqdn", nil, map[string]any{"source.fqdn": "www.example.test"},
			map[string]string{"source.fqdn": "www.example.test", "source.ip": "192.0.2.10"}},
		{"both sides", nil, map[string]any{"source.fqdn": "mail.example.test", "destination.fqdn": "dst.example.test"},
			map[string]string{"source.fqdn": "mail.example.test", "source.ip": "192.0.2.10", "destination.fqdn": "dst.example.test", "destination.ip": "198.51.100.1"}},
		{"URL fallback", nil, map[string]any{"source.url": "http://www.example.test/x"},
			map[string]string{"source.url": "http://www.example.test/x", "source.ip": "192.0.2.10"}},
		{"no URL fallback", map[string]any{"fallback_to_url": false}, map[string]any{"source.url": "http://www.example.test/x"},
			map[string]string{"source.url": "http://www.example.test/x"}},
		{"URL with an address", nil, map[string]any{"source.url": "http://192.0.2.99/x"},
			map[string]string{"source.url": "http://192.0.2.99/x"}},
		{"existing ip kept", nil, map[string]any{"source.fqdn": "www.example.test", "source.ip": "203.0.113.1"},
			map[string]string{"source.fqdn": "www.example.test", "source.ip": "203.0.113.1"}},
		{"overwrite", map[string]any{"overwrite": true}, map[string]any{"source.fqdn": "www.example.test", "source.ip": "203.0.113.1"},
			map[string]string{"source.fqdn": "www.example.test", "source.ip": "192.0.2.10"}},
		{"NXDOMAIN ignored", nil, map[string]any{"source.fqdn": "nx.example.test"},
			map[string]string{"source.fqdn": "nx.example.test"}},
		{"no IPv4 address ignored", nil, map[string]any{"source.fqdn": "v6only.example.test"},
			map[string]string{"source.fqdn": "v6only.example.test"}},
		{"refused ignored", nil, map[string]any{"source.fqdn": "refused.example.test"},
			map[string]string{"source.fqdn": "refused.example.test"}},
		{"SERVFAIL ignored on request", map[string]any{"gaierrors_to_ignore": "-3"}, map[string]any{"source.fqdn": "broken.example.test"},
			map[string]string{"source.fqdn": "broken.example.test"}},
		{"no name: unchanged", nil, map[string]any{"classification.type": "scanner"},
			map[string]string{"classification.type": "scanner"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{"resolver": srv.Addr}
			maps.Copy(params, tc.params)
			experttest.Expect(t, experttest.New(t, Name, params), experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestFailures(t *testing.T) {
	srv := server(t)
	srv.Slow("slow.example.test.")
	x := experttest.New(t, "intelmq.bots.experts.gethostbyname.expert", map[string]any{"resolver": srv.Addr, "dns_timeout": "100ms"})
	for _, name := range []string{"broken.example.test", "slow.example.test"} {
		_, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.fqdn": name}))
		if !topology.IsTransient(err) {
			t.Errorf("%s: %v, want a transient error", name, err)
		}
	}
	// Temporary failures are not cached: once the server answers, so do we.
	srv.Add(t, "slow2.example.test. 60 IN A 192.0.2.50")
	experttest.Expect(t, x, experttest.Event(t, map[string]any{"source.fqdn": "slow2.example.test"}),
		map[string]string{"source.fqdn": "slow2.example.test", "source.ip": "192.0.2.50"})
}

func TestCache(t *testing.T) {
	srv := server(t)
	x := experttest.New(t, Name, map[string]any{"resolver": srv.Addr})
	for range 3 {
		experttest.Run(t, x, experttest.Event(t, map[string]any{"source.fqdn": "www.example.test"}))
		experttest.Run(t, x, experttest.Event(t, map[string]any{"source.fqdn": "nx.example.test"}))
	}
	if n := srv.Queries.Load(); n != 2 {
		t.Errorf("%d queries for 6 lookups of 2 names, want 2 (positive and negative answers cached)", n)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"resolver": "127.0.0.1:53", "gaierrors_to_ignore": "x"}, Want: "parameter gaierrors_to_ignore"},
		{Params: map[string]any{"resolver": "nowhere"}, Want: "parameter resolver"},
		{Params: map[string]any{"resolver": "127.0.0.1:53", "cache_size": -1, "cache": "memory"}, Want: "parameter cache_size"},
	})
}

func BenchmarkProcess(b *testing.B) {
	srv := server(b)
	x := experttest.New(b, Name, map[string]any{"resolver": srv.Addr})
	e := &dho.Event{Source: dho.Endpoint{FQDN: []string{"www.example.test"}}}
	experttest.Bench(b, x, e)
}
