package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Redis is a cache in Redis: values are JSON, keys carry a prefix (the
// node's name) so that nodes sharing a database do not collide.
type Redis[V any] struct {
	client goredis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewRedis returns a cache in client's database; keys are prefix+key, the
// default time to live is ttl (<= 0: one day).
func NewRedis[V any](client goredis.UniversalClient, prefix string, ttl time.Duration) *Redis[V] {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &Redis[V]{client: client, prefix: prefix, ttl: ttl}
}

// Get implements Cache. A value that does not decode counts as a miss.
func (r *Redis[V]) Get(ctx context.Context, key string) (V, bool, error) {
	var v V
	b, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("redis cache: %w", err)
	}
	if json.Unmarshal(b, &v) != nil {
		var zero V
		return zero, false, nil
	}
	return v, true, nil
}

// Set implements Cache.
func (r *Redis[V]) Set(ctx context.Context, key string, v V, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = r.ttl
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("redis cache: %w", err)
	}
	if err := r.client.Set(ctx, r.prefix+key, b, ttl).Err(); err != nil {
		return fmt.Errorf("redis cache: %w", err)
	}
	return nil
}

// Close closes the Redis client.
func (r *Redis[V]) Close() error { return r.client.Close() }
