// Package timeindex keeps time indexes in the string-keyed tables of
// stateful experts: index entries "<prefix><time>/<key>", the time as 20
// zero-padded digits of Unix nanoseconds, sort by time, so that a Tick
// finds what is due (a TTL over, a digest to send) by a range scan that
// stops at now instead of reading every entry.
package timeindex

import (
	"context"
	"fmt"

	"github.com/intelstream/intelstream/topology"
)

// Key is the index entry of key at time t (Unix nanoseconds) under prefix.
func Key(prefix string, t int64, key string) string { return fmt.Sprintf("%s%020d/%s", prefix, t, key) }

// Due returns the index entries under prefix whose time is at or before
// now, earliest first, at most max (the rest are due at the next call),
// and the key each indexes.
func Due[V any](ctx context.Context, table *topology.Table[string, V], prefix string, now int64, max int) (entries, keys []string, err error) {
	limit := Key(prefix, now, "")
	err = table.Range(ctx, []byte(prefix), func(k string, _ V) (bool, error) {
		if k[:len(limit)] > limit {
			return false, nil // this and every later entry are not due
		}
		entries, keys = append(entries, k), append(keys, k[len(limit):])
		return len(entries) < max, nil
	})
	return entries, keys, err
}
