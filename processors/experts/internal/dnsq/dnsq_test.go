package dnsq

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/intelstream/intelstream/processors/experts/internal/dnstest"
	"github.com/intelstream/intelstream/topology"
)

func TestQuery(t *testing.T) {
	var many []string
	for i := range 200 {
		many = append(many, fmt.Sprintf("big.test. 60 IN A 192.0.2.%d", i))
	}
	srv := dnstest.Start(t, append(many,
		"www.test. 300 IN A 192.0.2.1",
		"www.test. 120 IN A 192.0.2.2",
		"alias.test. 300 IN CNAME www.test.",
		`txt.test. 300 IN TXT "Caf\195\169 \"quoted\"" "|2"`,
	)...)
	srv.Fail("broken.test.", dns.RcodeServerFailure)
	srv.Slow("slow.test.")
	r := New(srv.Addr, 200*time.Millisecond)
	ctx := context.Background()

	a, err := r.Query(ctx, "www.test", dns.TypeA)
	if err != nil || a.Rcode != dns.RcodeSuccess || len(a.RRs) != 2 || a.TTL != 120*time.Second {
		t.Errorf("www: %+v %v", a, err)
	}
	a, err = r.Query(ctx, "big.test", dns.TypeA)
	if err != nil || len(a.RRs) != 200 {
		t.Errorf("truncated answer not retried over TCP: %d records, %v", len(a.RRs), err)
	}
	a, err = r.Query(ctx, "missing.test", dns.TypeA)
	if err != nil || a.Rcode != dns.RcodeNameError || a.TTL != 30*time.Second {
		t.Errorf("NXDOMAIN: %+v %v", a, err)
	}
	a, err = r.Query(ctx, "www.test", dns.TypeAAAA)
	if err != nil || a.Rcode != dns.RcodeSuccess || len(a.RRs) != 0 {
		t.Errorf("NODATA: %+v %v", a, err)
	}
	a, err = r.Query(ctx, "broken.test", dns.TypeA)
	if err != nil || a.Rcode != dns.RcodeServerFailure {
		t.Errorf("SERVFAIL: %+v %v", a, err)
	}
	if _, err := r.Query(ctx, "slow.test", dns.TypeA); !topology.IsTransient(err) {
		t.Errorf("timeout: %v, want a transient error", err)
	}
	a, err = r.Query(ctx, "txt.test", dns.TypeTXT)
	if err != nil || len(a.RRs) != 1 {
		t.Fatalf("TXT: %+v %v", a, err)
	}
	if got := TXT(a.RRs[0].(*dns.TXT)); got != `Café "quoted"|2` {
		t.Errorf("TXT = %q", got)
	}
}

func TestFromParams(t *testing.T) {
	spec := topology.Spec{Name: "dnstest", Params: Params}
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{"resolver": "127.0.0.1"}, "resolver"},
		{map[string]any{"resolver": "127.0.0.1:53", "dns_timeout": "0s"}, "dns_timeout"},
		{map[string]any{"resolver": "127.0.0.1:53"}, ""},
	} {
		p, err := spec.Validate(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		_, err = FromParams("dnstest", p)
		var pe *topology.ParamError
		if tc.param == "" && err != nil || tc.param != "" && (!asParam(err, &pe) || pe.Param != tc.param) {
			t.Errorf("%v: %v", tc.raw, err)
		}
	}
}

func asParam(err error, pe **topology.ParamError) bool {
	p, ok := err.(*topology.ParamError)
	*pe = p
	return ok
}

func FuzzTXT(f *testing.F) {
	f.Add(`a\\b\"c\255\0`)
	f.Fuzz(func(t *testing.T, s string) {
		TXT(&dns.TXT{Txt: []string{s}})
	})
}
