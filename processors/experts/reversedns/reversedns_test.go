package reversedns

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/miekg/dns"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dnstest"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

func server(t testing.TB) *dnstest.Server {
	s := dnstest.Start(t,
		"10.2.0.192.in-addr.arpa. 300 IN PTR host10.example.test.",
		"11.2.0.192.in-addr.arpa. 300 IN PTR 192.0.2.11.",
		"11.2.0.192.in-addr.arpa. 300 IN PTR Host11.Example.Test.",
		"12.2.0.192.in-addr.arpa. 300 IN PTR 192.0.2.12.",
		"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR v6.example.test.",
	)
	s.Fail("13.2.0.192.in-addr.arpa.", dns.RcodeServerFailure)
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
		{"IPv4", nil, map[string]any{"source.ip": "192.0.2.10"},
			map[string]string{"source.ip": "192.0.2.10", "source.reverse_dns": "host10.example.test"}},
		{"first valid name", nil, map[string]any{"source.ip": "192.0.2.11"},
			map[string]string{"source.ip": "192.0.2.11", "source.reverse_dns": "host11.example.test"}},
		{"no valid name", nil, map[string]any{"source.ip": "192.0.2.12"},
			map[string]string{"source.ip": "192.0.2.12"}},
		{"IPv6 destination", nil, map[string]any{"destination.ip": "2001:db8::10"},
			map[string]string{"destination.ip": "2001:db8::10", "destination.reverse_dns": "v6.example.test"}},
		{"NXDOMAIN", nil, map[string]any{"source.ip": "198.51.100.1"},
			map[string]string{"source.ip": "198.51.100.1"}},
		{"SERVFAIL", nil, map[string]any{"source.ip": "192.0.2.13"},
			map[string]string{"source.ip": "192.0.2.13"}},
		{"existing kept", nil, map[string]any{"source.ip": "192.0.2.10", "source.reverse_dns": "old.example.test"},
			map[string]string{"source.ip": "192.0.2.10", "source.reverse_dns": "old.example.test"}},
		{"overwrite", map[string]any{"overwrite": true}, map[string]any{"source.ip": "192.0.2.10", "source.reverse_dns": "old.example.test"},
			map[string]string{"source.ip": "192.0.2.10", "source.reverse_dns": "host10.example.test"}},
		{"no IP: unchanged", nil, map[string]any{"source.fqdn": "example.test"},
			map[string]string{"source.fqdn": "example.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{"resolver": srv.Addr}
			maps.Copy(params, tc.params)
			experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.reverse_dns.expert", params), experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestCacheAndTimeout(t *testing.T) {
	srv := server(t)
	srv.Slow("1.113.0.203.in-addr.arpa.")
	x := experttest.New(t, Name, map[string]any{"resolver": srv.Addr, "dns_timeout": "100ms"})
	for range 3 {
		for _, ip := range []string{"192.0.2.10", "198.51.100.1", "192.0.2.13"} {
			if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": ip})); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := srv.Queries.Load(); n != 3 {
		t.Errorf("%d queries for 9 lookups of 3 addresses, want 3", n)
	}
	if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "203.0.113.1"})); !topology.IsTransient(err) {
		t.Errorf("timeout: %v, want a transient error", err)
	}
}

func TestBadParams(t *testing.T) {
	_, err := experttest.Build(Name, map[string]any{"resolver": "127.0.0.1:53", "cache_ttl_invalid_response": 0})
	var pe *topology.ParamError
	if !errors.As(err, &pe) || pe.Param != "cache_ttl_invalid_response" {
		t.Errorf("%v", err)
	}
}

func BenchmarkProcess(b *testing.B) {
	srv := server(b)
	x := experttest.New(b, Name, map[string]any{"resolver": srv.Addr})
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.10"}}})
}

// TestRedisCache shares answers between two instances of the node through
// the machine's Redis (database 15); skipped without it unless CI=true.
func TestRedisCache(t *testing.T) {
	const addr = "127.0.0.1:6379"
	if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is not reachable on %s: %v", addr, err)
		}
		t.Skipf("Redis is not reachable on %s: %v", addr, err)
	} else {
		c.Close()
	}
	srv := server(t)
	// A unique address per run, so no earlier run's cache answers.
	ip := fmt.Sprintf("192.0.2.%d", 100+time.Now().UnixNano()%100)
	srv.Add(t, fmt.Sprintf("%s.2.0.192.in-addr.arpa. 30 IN PTR shared.example.test.", strings.TrimPrefix(ip, "192.0.2.")))
	params := map[string]any{"resolver": srv.Addr, "redis_cache_host": "127.0.0.1", "redis_cache_port": 6379, "redis_cache_db": 15}
	a := experttest.New(t, Name, params)
	b := experttest.New(t, Name, params)
	want := map[string]string{"source.ip": ip, "source.reverse_dns": "shared.example.test"}
	experttest.Expect(t, a, experttest.Event(t, map[string]any{"source.ip": ip}), want)
	experttest.Expect(t, b, experttest.Event(t, map[string]any{"source.ip": ip}), want)
	if n := srv.Queries.Load(); n != 1 {
		t.Errorf("%d DNS queries from two instances sharing Redis, want 1", n)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, DB: 15})
	defer rdb.Close()
	ttl := rdb.TTL(context.Background(), Name+":"+ip).Val()
	if ttl <= 0 || ttl > 30*time.Second {
		t.Errorf("Redis TTL %s, want the PTR record's 30s at most", ttl)
	}
	rdb.Del(context.Background(), Name+":"+ip)
}
