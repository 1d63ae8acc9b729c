// Package cache is the lookup cache of the experts: results of DNS, whois
// and HTTP lookups kept for a time to live. The default is an in-process
// LRU; Redis (IntelMQ's choice, its redis_cache_* parameters) is optional
// and lets several instances of a node share their lookups.
package cache

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Cache maps keys to values with a time to live.
type Cache[V any] interface {
	// Get returns the value under key and whether there is one that has
	// not expired.
	Get(ctx context.Context, key string) (V, bool, error)
	// Set stores v under key for ttl (ttl <= 0: the cache's default).
	Set(ctx context.Context, key string, v V, ttl time.Duration) error
}

// Memory is an in-process LRU cache with a time to live per entry. It is
// safe for concurrent use.
type Memory[V any] struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	items map[string]*list.Element
	order *list.List // front: most recently used
	now   func() time.Time
}

type memEntry[V any] struct {
	key     string
	v       V
	expires int64 // unix nanoseconds
}

// NewMemory returns an LRU cache of at most maxEntries entries (<= 0:
// 100000) with the default time to live ttl (<= 0: one day).
func NewMemory[V any](maxEntries int, ttl time.Duration) *Memory[V] {
	if maxEntries <= 0 {
		maxEntries = 100000
	}
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &Memory[V]{max: maxEntries, ttl: ttl, items: map[string]*list.Element{}, order: list.New(), now: time.Now}
}

// Get implements Cache.
func (m *Memory[V]) Get(_ context.Context, key string) (V, bool, error) {
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		var zero V
		return zero, false, nil
	}
	e := el.Value.(*memEntry[V])
	if now >= e.expires {
		m.order.Remove(el)
		delete(m.items, key)
		var zero V
		return zero, false, nil
	}
	m.order.MoveToFront(el)
	return e.v, true, nil
}

// Set implements Cache.
func (m *Memory[V]) Set(_ context.Context, key string, v V, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = m.ttl
	}
	expires := m.now().Add(ttl).UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		e := el.Value.(*memEntry[V])
		e.v, e.expires = v, expires
		m.order.MoveToFront(el)
		return nil
	}
	m.items[key] = m.order.PushFront(&memEntry[V]{key: key, v: v, expires: expires})
	for m.order.Len() > m.max {
		oldest := m.order.Back()
		m.order.Remove(oldest)
		delete(m.items, oldest.Value.(*memEntry[V]).key)
	}
	return nil
}

// Len returns the number of entries (expired ones included until touched).
func (m *Memory[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
