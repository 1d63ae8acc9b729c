package cache

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/topology"
)

// Params are the cache parameters of a lookup expert: IntelMQ's
// redis_cache_* names, plus the backend choice and the in-memory size.
// defaultDB is the Redis database IntelMQ uses for the expert; the
// default time to live is a day.
func Params(defaultDB int) []topology.Param { return ParamsTTL(defaultDB, 86400) }

// ParamsTTL is Params with another default time to live, in seconds.
func ParamsTTL(defaultDB, ttlSeconds int) []topology.Param {
	return []topology.Param{
		{Name: "cache", Type: topology.ParamString, Default: "auto", Enum: []string{"auto", "memory", "redis", "none"},
			Doc: "Where lookups are cached: memory (an LRU in the process), redis, none, or auto (redis when redis_cache_host is given, else memory)."},
		{Name: "cache_size", Type: topology.ParamInt, Default: 100000, Doc: "Entries of the in-memory cache."},
		{Name: "redis_cache_host", Type: topology.ParamString, Doc: "Redis host of the cache.", Example: "127.0.0.1"},
		{Name: "redis_cache_port", Type: topology.ParamInt, Default: 6379, Doc: "Redis port of the cache."},
		{Name: "redis_cache_db", Type: topology.ParamInt, Default: defaultDB, Doc: "Redis database of the cache."},
		{Name: "redis_cache_password", Type: topology.ParamString, Doc: "Redis password of the cache."},
		{Name: "redis_cache_ttl", Type: topology.ParamDuration, Default: ttlSeconds, Doc: "Time to live of cached results (DNS answers keep their own TTL when shorter)."},
	}
}

// Nop is a cache that keeps nothing (cache "none").
type Nop[V any] struct{}

// Get implements Cache: always a miss.
func (Nop[V]) Get(context.Context, string) (V, bool, error) {
	var zero V
	return zero, false, nil
}

// Set implements Cache: it does nothing.
func (Nop[V]) Set(context.Context, string, V, time.Duration) error { return nil }

// FromParams builds the cache the parameters describe, for node kind node
// (the Redis key prefix). It also returns the default time to live.
func FromParams[V any](node string, p topology.Params) (Cache[V], time.Duration, error) {
	ttl := p.Duration("redis_cache_ttl")
	if ttl <= 0 {
		return nil, 0, &topology.ParamError{Node: node, Param: "redis_cache_ttl", Err: fmt.Errorf("must be positive, got %s", ttl)}
	}
	backend := p.String("cache")
	if backend == "auto" {
		backend = "memory"
		if p.String("redis_cache_host") != "" {
			backend = "redis"
		}
	}
	switch backend {
	case "none":
		return Nop[V]{}, ttl, nil
	case "memory":
		size := p.Int("cache_size")
		if size <= 0 {
			return nil, 0, &topology.ParamError{Node: node, Param: "cache_size", Err: fmt.Errorf("must be positive, got %d", size)}
		}
		return NewMemory[V](int(size), ttl), ttl, nil
	}
	host := p.String("redis_cache_host")
	if host == "" {
		host = "127.0.0.1"
	}
	port := p.Int("redis_cache_port")
	if port <= 0 || port > 65535 {
		return nil, 0, &topology.ParamError{Node: node, Param: "redis_cache_port", Err: fmt.Errorf("%d is not a port", port)}
	}
	db := p.Int("redis_cache_db")
	if db < 0 {
		return nil, 0, &topology.ParamError{Node: node, Param: "redis_cache_db", Err: fmt.Errorf("%d is not a database number", db)}
	}
	client := goredis.NewClient(&goredis.Options{
		Addr:     net.JoinHostPort(host, strconv.FormatInt(port, 10)),
		DB:       int(db),
		Password: p.String("redis_cache_password"),
	})
	return NewRedis[V](client, node+":", ttl), ttl, nil
}
