package cache

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/topology"
)

type result struct {
	ASN     int64  `json:"asn"`
	Network string `json:"network"`
}

var spec = topology.Spec{Name: "cachetest", Params: Params(5)}

func TestMemoryTTLAndLRU(t *testing.T) {
	ctx := context.Background()
	m := NewMemory[result](2, time.Hour)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	m.Set(ctx, "a", result{ASN: 1}, 0)
	m.Set(ctx, "b", result{ASN: 2}, time.Minute)
	if v, ok, _ := m.Get(ctx, "a"); !ok || v.ASN != 1 {
		t.Fatalf("a: %v %v", v, ok)
	}
	m.Set(ctx, "c", result{ASN: 3}, 0) // evicts b, the least recently used
	if _, ok, _ := m.Get(ctx, "b"); ok {
		t.Error("b not evicted")
	}
	now = now.Add(30 * time.Minute)
	if _, ok, _ := m.Get(ctx, "a"); !ok {
		t.Error("a expired early")
	}
	now = now.Add(31 * time.Minute)
	if _, ok, _ := m.Get(ctx, "a"); ok {
		t.Error("a not expired after the default TTL")
	}
	if m.Len() != 1 {
		t.Errorf("Len = %d, want 1", m.Len())
	}
}

func TestFromParams(t *testing.T) {
	tests := []struct {
		raw     map[string]any
		want    string
		wantErr string
	}{
		{map[string]any{}, "*cache.Memory[github.com/intelstream/intelstream/processors/experts/internal/cache.result]", ""},
		{map[string]any{"cache": "none"}, "cache.Nop[github.com/intelstream/intelstream/processors/experts/internal/cache.result]", ""},
		{map[string]any{"redis_cache_host": "127.0.0.1"}, "*cache.Redis[github.com/intelstream/intelstream/processors/experts/internal/cache.result]", ""},
		{map[string]any{"cache": "memory", "cache_size": 0}, "", "cache_size"},
		{map[string]any{"redis_cache_ttl": "-1s"}, "", "redis_cache_ttl"},
		{map[string]any{"cache": "redis", "redis_cache_port": 70000}, "", "redis_cache_port"},
	}
	for _, tc := range tests {
		p, err := spec.Validate(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := FromParams[result]("cachetest", p)
		if tc.wantErr != "" {
			var pe *topology.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.wantErr {
				t.Errorf("%v: error %v, want one naming %s", tc.raw, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.raw, err)
		}
		if got := fmt.Sprintf("%T", c); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.raw, got, tc.want)
		}
	}
}

const redisServer = "127.0.0.1:6379"

// TestRedis runs against the machine's Redis (database 15); skipped when
// it is absent unless CI=true.
func TestRedis(t *testing.T) {
	if c, err := net.DialTimeout("tcp", redisServer, 2*time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is not reachable on %s: %v", redisServer, err)
		}
		t.Skipf("Redis is not reachable on %s: %v", redisServer, err)
	} else {
		c.Close()
	}
	ctx := context.Background()
	host, port, _ := net.SplitHostPort(redisServer)
	p, err := spec.Validate(map[string]any{"redis_cache_host": host, "redis_cache_port": port, "redis_cache_db": 15, "redis_cache_ttl": "1s"})
	if err != nil {
		t.Fatal(err)
	}
	c, ttl, err := FromParams[result]("cachetest-"+strconv.FormatInt(time.Now().UnixNano(), 10), p)
	if err != nil || ttl != time.Second {
		t.Fatal(err, ttl)
	}
	r := c.(*Redis[result])
	defer r.Close()
	if _, ok, err := r.Get(ctx, "x"); ok || err != nil {
		t.Fatalf("empty: %v %v", ok, err)
	}
	if err := r.Set(ctx, "x", result{ASN: 64496, Network: "192.0.2.0/24"}, 0); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := r.Get(ctx, "x"); !ok || err != nil || v.ASN != 64496 || v.Network != "192.0.2.0/24" {
		t.Fatalf("Get: %v %v %v", v, ok, err)
	}
	raw := goredis.NewClient(&goredis.Options{Addr: redisServer, DB: 15})
	defer raw.Close()
	if d := raw.TTL(ctx, r.prefix+"x").Val(); d <= 0 || d > time.Second {
		t.Errorf("TTL in Redis = %s, want ≤ 1s", d)
	}
	raw.Set(ctx, r.prefix+"y", "not json", time.Second)
	if _, ok, err := r.Get(ctx, "y"); ok || err != nil {
		t.Errorf("undecodable value: %v %v, want a miss", ok, err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, ok, _ := r.Get(ctx, "x"); ok {
		t.Error("value outlived its TTL")
	}
}

func BenchmarkMemoryGet(b *testing.B) {
	ctx := context.Background()
	m := NewMemory[result](1000, time.Hour)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "192.0.2." + strconv.Itoa(i)
		m.Set(ctx, keys[i], result{ASN: int64(i)}, 0)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Get(ctx, keys[i%1000])
		i++
	}
}

func TestDo(t *testing.T) {
	ctx := context.Background()
	m := NewMemory[result](10, time.Hour)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	calls := 0
	fill := func(ttl time.Duration, err error) func() (result, time.Duration, error) {
		return func() (result, time.Duration, error) { calls++; return result{ASN: int64(calls)}, ttl, err }
	}
	if v, err := Do(ctx, m, "k", time.Hour, fill(time.Minute, nil)); err != nil || v.ASN != 1 {
		t.Fatal(v, err)
	}
	if v, _ := Do(ctx, m, "k", time.Hour, fill(time.Minute, nil)); v.ASN != 1 || calls != 1 {
		t.Errorf("not served from the cache: %v, %d calls", v, calls)
	}
	now = now.Add(61 * time.Second) // the answer's own TTL has passed
	if v, _ := Do(ctx, m, "k", time.Hour, fill(2*time.Hour, nil)); v.ASN != 2 {
		t.Errorf("expired entry served: %v", v)
	}
	now = now.Add(61 * time.Minute) // capped at maxTTL
	if v, _ := Do(ctx, m, "k", time.Hour, fill(0, nil)); v.ASN != 3 {
		t.Errorf("TTL not capped at maxTTL: %v", v)
	}
	if v, _ := Do(ctx, m, "n", time.Hour, fill(-1, nil)); v.ASN != 4 {
		t.Errorf("negative TTL: %v", v)
	}
	if _, ok, _ := m.Get(ctx, "n"); ok {
		t.Error("value with a negative TTL cached")
	}
	if _, err := Do(ctx, m, "e", time.Hour, fill(0, errors.New("boom"))); err == nil {
		t.Error("fill error lost")
	}
	if _, ok, _ := m.Get(ctx, "e"); ok {
		t.Error("failed fill cached")
	}
}
