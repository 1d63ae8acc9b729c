package cymruwhois

import (
	"errors"
	"maps"
	"net/netip"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dnstest"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

const v6origin = "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com."

func server(t testing.TB) *dnstest.Server {
	return dnstest.Start(t,
		`10.2.0.192.origin.asn.cymru.com. 3600 IN TXT "64496 | 192.0.2.0/24 | AT | ripencc | 2002-04-17"`,
		`10.2.0.192.origin.asn.cymru.com. 3600 IN TXT "64499 | 192.0.0.0/16 | AT | ripencc | 2001-01-01"`,
		`20.100.51.198.origin.asn.cymru.com. 3600 IN TXT "64497 64498 | 198.51.100.0/24 | US | arin |"`,
		`30.113.0.203.origin.asn.cymru.com. 3600 IN TXT "NA | 203.0.113.0/24 | ZZ | other | NA"`,
		v6origin+` 3600 IN TXT "64500 | 2001:db8::/32 | NL | ripencc | 2010-05-05"`,
		`AS64496.asn.cymru.com. 3600 IN TXT "64496 | AT | ripencc | 2002-01-04 | EXAMPLE-AS Caf\195\169 Networks, AT"`,
		`AS64497.asn.cymru.com. 3600 IN TXT "64497 | US | arin | 2005-01-01 | SECOND-AS - Second Example, US"`,
		`AS64500.asn.cymru.com. 3600 IN TXT "64500 | NL | ripencc | 2010-05-05 | SIX-AS, NL"`,
	)
}

func TestProcess(t *testing.T) {
	srv := server(t)
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]string
	}{
		{"most specific prefix", nil, map[string]any{"source.ip": "192.0.2.10"}, map[string]string{
			"source.ip": "192.0.2.10", "source.asn": "64496", "source.network": "192.0.2.0/24", "source.geolocation.cc": "AT",
			"source.registry": "RIPE", "source.allocated": "2002-04-17T00:00:00+00:00", "source.as_name": "EXAMPLE-AS Café Networks, AT"}},
		{"first of several ASNs, no date", nil, map[string]any{"destination.ip": "198.51.100.20"}, map[string]string{
			"destination.ip": "198.51.100.20", "destination.asn": "64497", "destination.network": "198.51.100.0/24",
			"destination.geolocation.cc": "US", "destination.registry": "ARIN", "destination.as_name": "SECOND-AS - Second Example, US"}},
		{"registry other and NA skipped", nil, map[string]any{"source.ip": "203.0.113.30"}, map[string]string{
			"source.ip": "203.0.113.30", "source.network": "203.0.113.0/24", "source.geolocation.cc": "ZZ"}},
		{"IPv6", nil, map[string]any{"source.ip": "2001:db8::10"}, map[string]string{
			"source.ip": "2001:db8::10", "source.asn": "64500", "source.network": "2001:db8::/32", "source.geolocation.cc": "NL",
			"source.registry": "RIPE", "source.allocated": "2010-05-05T00:00:00+00:00", "source.as_name": "SIX-AS, NL"}},
		{"unknown address", nil, map[string]any{"source.ip": "192.0.2.99"}, map[string]string{"source.ip": "192.0.2.99"}},
		{"existing kept", nil, map[string]any{"source.ip": "2001:db8::10", "source.asn": 1, "source.geolocation.cc": "DE"}, map[string]string{
			"source.ip": "2001:db8::10", "source.asn": "1", "source.network": "2001:db8::/32", "source.geolocation.cc": "DE",
			"source.registry": "RIPE", "source.allocated": "2010-05-05T00:00:00+00:00", "source.as_name": "SIX-AS, NL"}},
		{"overwrite", map[string]any{"overwrite": true}, map[string]any{"source.ip": "198.51.100.20", "source.asn": 1}, map[string]string{
			"source.ip": "198.51.100.20", "source.asn": "64497", "source.network": "198.51.100.0/24",
			"source.geolocation.cc": "US", "source.registry": "ARIN", "source.as_name": "SECOND-AS - Second Example, US"}},
		{"no IP: unchanged", nil, map[string]any{"source.fqdn": "example.test"}, map[string]string{"source.fqdn": "example.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{"resolver": srv.Addr}
			maps.Copy(params, tc.params)
			experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.cymru_whois.expert", params), experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestCacheAndTimeout(t *testing.T) {
	srv := server(t)
	x := experttest.New(t, Name, map[string]any{"resolver": srv.Addr, "dns_timeout": "100ms"})
	for range 3 {
		for _, ip := range []string{"192.0.2.10", "192.0.2.99"} {
			if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": ip})); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := srv.Queries.Load(); n != 3 {
		t.Errorf("%d queries, want 3 (origin + AS for one address, origin for the other)", n)
	}
	srv.Slow("1.113.0.203.origin.asn.cymru.com.")
	if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "203.0.113.1"})); !topology.IsTransient(err) {
		t.Errorf("timeout: %v, want a transient error", err)
	}
}

func TestOriginName(t *testing.T) {
	x := &Expert{zone: "asn.cymru.com"}
	if got := x.OriginName(netip.MustParseAddr("192.0.2.10")); got != "10.2.0.192.origin.asn.cymru.com" {
		t.Error(got)
	}
	if got := x.OriginName(netip.MustParseAddr("2001:db8::10")); got+"." != v6origin {
		t.Error(got)
	}
}

func TestBadParams(t *testing.T) {
	_, err := experttest.Build(Name, map[string]any{"resolver": "127.0.0.1:53", "zone": "bad zone..x"})
	var pe *topology.ParamError
	if !errors.As(err, &pe) || pe.Param != "zone" {
		t.Errorf("%v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("64496 | 192.0.2.0/24 | AT | ripencc | 2002-04-17")
	f.Add("9395 17431 | 219.234.80.0/20 | CN | apnic   | 2002-04-17")
	f.Add(`"1 | NA | | |`)
	f.Fuzz(func(t *testing.T, s string) {
		r := ParseOrigin(s)
		if r.Network != "" {
			if _, err := netip.ParsePrefix(r.Network); err != nil {
				t.Fatal(err)
			}
		}
		var e dho.Event
		x := &Expert{overwrite: true}
		if err := x.apply(&e, "source.", r); err != nil && !strings.Contains(err.Error(), "source.") {
			t.Fatal(err)
		}
		ParseASName(s)
	})
}

func BenchmarkProcess(b *testing.B) {
	srv := server(b)
	x := experttest.New(b, Name, map[string]any{"resolver": srv.Addr})
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.10"}}})
}
