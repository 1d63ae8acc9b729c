package cache

import (
	"context"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// Do returns the value cached under key or, on a miss, calls fill and
// caches its value for the TTL fill returns, capped at maxTTL (a TTL of 0
// means maxTTL; a negative TTL: not cached, e.g. a temporary failure). fill's errors are returned and nothing is cached; a
// failing cache (Redis down) is a transient error.
func Do[V any](ctx context.Context, c Cache[V], key string, maxTTL time.Duration, fill func() (V, time.Duration, error)) (V, error) {
	v, ok, err := c.Get(ctx, key)
	if err != nil {
		return v, topology.Transient(err)
	}
	if ok {
		return v, nil
	}
	v, ttl, err := fill()
	if err != nil {
		return v, err
	}
	if ttl < 0 {
		return v, nil
	}
	if ttl == 0 || ttl > maxTTL {
		ttl = maxTTL
	}
	if err := c.Set(ctx, key, v, ttl); err != nil {
		return v, topology.Transient(err)
	}
	return v, nil
}

// Lookup is a node's cache with its default time to live (the
// redis_cache_ttl parameter): what every lookup expert holds.
type Lookup[V any] struct {
	Cache Cache[V]
	TTL   time.Duration
}

// LookupFromParams builds a node's Lookup from its cache parameters (see
// Params and FromParams).
func LookupFromParams[V any](node string, p topology.Params) (Lookup[V], error) {
	c, ttl, err := FromParams[V](node, p)
	return Lookup[V]{Cache: c, TTL: ttl}, err
}

// Do is the package's Do for answers without a TTL of their own: they are
// kept for the default TTL.
func (l Lookup[V]) Do(ctx context.Context, key string, fill func() (V, error)) (V, error) {
	return Do(ctx, l.Cache, key, l.TTL, func() (V, time.Duration, error) {
		v, err := fill()
		return v, 0, err
	})
}

// DoTTL is the package's Do for answers with a TTL of their own (DNS),
// capped at the default TTL.
func (l Lookup[V]) DoTTL(ctx context.Context, key string, fill func() (V, time.Duration, error)) (V, error) {
	return Do(ctx, l.Cache, key, l.TTL, fill)
}
