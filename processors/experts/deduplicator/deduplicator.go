// Package deduplicator is the deduplicator expert: it drops events it has
// seen within a time to live, with IntelMQ's parameters (a hash over the
// chosen fields, or over all fields but the ignored ones and DHO's event id,
// which is unique per event), but with state
// that survives restarts, crashes and rebalances: a table restored from
// its changelog instead of a Redis key that a Redis restart forgets.
//
// Under at-least-once processing a crash can replay events whose "seen"
// entry already reached the changelog; the entry records the input
// partition and offset that wrote it, so the replay of that very record is
// passed on again (a duplicate downstream, never a loss), while any other
// record with the same hash is dropped. With ExactlyOnce there are no
// replays to tell apart.
package deduplicator

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/timeindex"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "deduplicator"

// Spec is the node spec of the deduplicator expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Drops events seen before within a time to live (hash over chosen fields), durable across restarts.",
	IntelMQ: "intelmq.bots.experts.deduplicator.expert",
	Params: []topology.Param{
		{Name: "filter_type", Type: topology.ParamString, Default: "blacklist", Enum: []string{"blacklist", "whitelist"}, Doc: "blacklist: hash every field but filter_keys; whitelist: hash only filter_keys."},
		{Name: "filter_keys", Type: topology.ParamStrings, Default: []string{"raw", "time.observation"}, Doc: "The fields left out of (blacklist) or making up (whitelist) the hash; name.* stands for every field under name."},
		{Name: "bypass", Type: topology.ParamBool, Default: false, Runtime: true, Doc: "Pass every event on without looking."},
		{Name: "redis_cache_ttl", Type: topology.ParamDuration, Default: 24 * time.Hour, Doc: "How long an event is remembered: seconds (IntelMQ's spelling) or a duration such as 24h. The name is IntelMQ's; the state is a table, not Redis."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// entry is what the table keeps per hash ("h/<hash>"); an index entry
// "x/<expiry>/<hash>" lets Tick find expired hashes in order.
type entry struct {
	Expires   int64 `json:"exp"` // Unix nanoseconds
	Partition int32 `json:"p"`
	Offset    int64 `json:"o"`
}

// Expert is the deduplicator.
type Expert struct {
	include bool
	keys    []string
	bypass  bool
	ttl     time.Duration
	seen    *topology.Table[string, entry]
	now     func() time.Time
}

// New builds the expert from validated parameters.
func New(p topology.Params) (*Expert, error) {
	keys := p.Strings("filter_keys")
	for i, k := range keys {
		keys[i] = strings.TrimSpace(k)
	}
	if p.Duration("redis_cache_ttl") <= 0 {
		return nil, &topology.ParamError{Param: "redis_cache_ttl", Err: fmt.Errorf("%s: must be positive", p.Duration("redis_cache_ttl"))}
	}
	include := p.String("filter_type") == "whitelist"
	if !include {
		// DHO's event id is unique per event by design: hashing it would
		// make every event new.
		keys = append(keys, "id")
	}
	if p.String("filter_type") == "whitelist" && len(keys) == 0 {
		return nil, &topology.ParamError{Param: "filter_keys", Err: fmt.Errorf("a whitelist needs at least one field")}
	}
	return &Expert{
		include: include, keys: keys, bypass: p.Bool("bypass"), ttl: p.Duration("redis_cache_ttl"),
		seen: topology.NewTable("seen", topology.StringCodec{}, topology.JSONCodec[entry]{}),
		now:  time.Now,
	}, nil
}

// Spec returns the node spec.
func (x *Expert) Spec() topology.Spec { return Spec }

// Tables returns the expert's table.
func (x *Expert) Tables() []topology.TableRef { return []topology.TableRef{x.seen} }

// SetClock replaces the expert's clock (for tests).
func (x *Expert) SetClock(now func() time.Time) { x.now = now }

func expiryKey(exp int64, hash string) string { return timeindex.Key("x/", exp, hash) }

// Process passes e on unless an equal event was seen within the TTL.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	if x.bypass {
		emit(e)
		return nil
	}
	hash := e.Hash(x.keys, x.include)
	now := x.now().UnixNano()
	part, off, _ := topology.InputOffset(ctx)
	old, ok, err := x.seen.Get(ctx, "h/"+hash)
	if err != nil {
		return err
	}
	if ok && old.Expires > now && (old.Partition != part || old.Offset != off) {
		return nil // a duplicate
	}
	if ok {
		if err := x.seen.Delete(ctx, expiryKey(old.Expires, hash)); err != nil {
			return err
		}
	}
	ent := entry{Expires: now + int64(x.ttl), Partition: part, Offset: off}
	if err := x.seen.Set(ctx, "h/"+hash, ent); err != nil {
		return err
	}
	if err := x.seen.Set(ctx, expiryKey(ent.Expires, hash), entry{}); err != nil {
		return err
	}
	emit(e)
	return nil
}

// Tick forgets the hashes whose time to live is over.
func (x *Expert) Tick(ctx context.Context, _ time.Time, _ func(*dho.Event)) error {
	// At most 10,000 a tick; the rest at the next.
	expired, hashes, err := timeindex.Due(ctx, x.seen, "x/", x.now().UnixNano(), 10000)
	if err != nil {
		return err
	}
	for i, k := range expired {
		if err := x.seen.Delete(ctx, k); err != nil {
			return err
		}
		if err := x.seen.Delete(ctx, "h/"+hashes[i]); err != nil {
			return err
		}
	}
	return nil
}
