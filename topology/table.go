package topology

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/intelstream/intelstream/transport"
)

// Codec turns table keys or values into bytes and back.
type Codec[V any] interface {
	Encode(V) ([]byte, error)
	Decode([]byte) (V, error)
}

// StringCodec encodes strings as their bytes (the usual key codec).
type StringCodec struct{}

func (StringCodec) Encode(s string) ([]byte, error) { return []byte(s), nil }
func (StringCodec) Decode(b []byte) (string, error) { return string(b), nil }

// JSONCodec encodes values as JSON (encoding/json).
type JSONCodec[V any] struct{}

func (JSONCodec[V]) Encode(v V) ([]byte, error) { return json.Marshal(v) }
func (JSONCodec[V]) Decode(b []byte) (V, error) {
	var v V
	err := json.Unmarshal(b, &v)
	return v, err
}

// Table is a keyed, typed, durable state of one node, like a goka group
// table or a Kafka Streams state store: partitioned like the node's input
// (the records of input partition p read and write table partition p),
// kept in a local store (LevelDB on disk, or in memory) and backed by a
// compacted changelog topic "<topology>.<node>.<table>.changelog" from
// which the store is restored when the node starts or gains a partition.
//
// A node uses its tables from Process (or Tick) with the context it was
// given: the writes of a batch of input records become visible to the
// batch at once, and reach the local store only when the batch is
// committed; with ExactlyOnce the changelog writes, the outputs and the
// input offsets commit in one transaction, so a crash at any point leaves
// the state as it was after the last committed batch.
type Table[K, V any] struct {
	name   string
	keys   Codec[K]
	values Codec[V]
}

var tableNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// NewTable declares a table; bind it to a node with the node option
// Tables or by returning it from the processor's Tables method.
func NewTable[K, V any](name string, keys Codec[K], values Codec[V]) *Table[K, V] {
	return &Table[K, V]{name: name, keys: keys, values: values}
}

// TableRef is any table, as nodes declare them.
type TableRef interface {
	// TableName is the table's name, unique within its node.
	TableName() string
	// dump decodes a raw entry for state dumps.
	dump(key, value []byte) (any, any, error)
}

// Stateful is implemented by processors that keep tables: the runtime
// restores and commits them (see Table).
type Stateful interface {
	Tables() []TableRef
}

// TableName returns the table's name.
func (t *Table[K, V]) TableName() string { return t.name }

func (t *Table[K, V]) dump(key, value []byte) (any, any, error) {
	k, err := t.keys.Decode(key)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: key: %w", t.name, err)
	}
	v, err := t.values.Decode(value)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: value of %q: %w", t.name, key, err)
	}
	return k, v, nil
}

// ErrNoTable is returned by table operations outside a node that declared
// the table, or outside Process and Tick.
var ErrNoTable = errors.New("table not bound to the running node")

// part returns the current partition's state, if the running node has t.
func (t *Table[K, V]) part(ctx context.Context) (*partState, error) {
	st, _ := ctx.Value(stateKey{}).(*nodeState)
	if st == nil || st.cur == nil {
		return nil, fmt.Errorf("table %s: %w", t.name, ErrNoTable)
	}
	if _, ok := st.index[t.name]; !ok {
		return nil, fmt.Errorf("table %s: %w", t.name, ErrNoTable)
	}
	return st.cur, nil
}

// Get returns the value stored under k in the current partition.
func (t *Table[K, V]) Get(ctx context.Context, k K) (v V, ok bool, err error) {
	p, err := t.part(ctx)
	if err != nil {
		return v, false, err
	}
	kb, err := t.keys.Encode(k)
	if err != nil {
		return v, false, fmt.Errorf("table %s: key: %w", t.name, err)
	}
	b, ok, err := p.get(t.name, kb)
	if err != nil || !ok {
		return v, false, err
	}
	v, err = t.values.Decode(b)
	if err != nil {
		return v, false, fmt.Errorf("table %s: value of %q: %w", t.name, kb, err)
	}
	return v, true, nil
}

// Set stores v under k in the current partition (and its changelog).
func (t *Table[K, V]) Set(ctx context.Context, k K, v V) error {
	p, err := t.part(ctx)
	if err != nil {
		return err
	}
	kb, err := t.keys.Encode(k)
	if err != nil {
		return fmt.Errorf("table %s: key: %w", t.name, err)
	}
	vb, err := t.values.Encode(v)
	if err != nil {
		return fmt.Errorf("table %s: value of %q: %w", t.name, kb, err)
	}
	if vb == nil {
		vb = []byte{}
	}
	return p.put(ctx, t.name, kb, vb)
}

// Delete removes k from the current partition (a tombstone in the
// changelog).
func (t *Table[K, V]) Delete(ctx context.Context, k K) error {
	p, err := t.part(ctx)
	if err != nil {
		return err
	}
	kb, err := t.keys.Encode(k)
	if err != nil {
		return fmt.Errorf("table %s: key: %w", t.name, err)
	}
	return p.put(ctx, t.name, kb, nil)
}

// Range calls fn with the entries of the current partition whose encoded
// key starts with prefix, in the byte order of the encoded keys, until fn
// returns false or an error. Tables that must be scanned by time (windows
// to close) encode keys that sort by time, e.g. with a big-endian prefix.
func (t *Table[K, V]) Range(ctx context.Context, prefix []byte, fn func(K, V) (bool, error)) error {
	p, err := t.part(ctx)
	if err != nil {
		return err
	}
	return p.scan(t.name, prefix, func(kb, vb []byte) (bool, error) {
		k, err := t.keys.Decode(kb)
		if err != nil {
			return false, fmt.Errorf("table %s: key: %w", t.name, err)
		}
		v, err := t.values.Decode(vb)
		if err != nil {
			return false, fmt.Errorf("table %s: value of %q: %w", t.name, kb, err)
		}
		return fn(k, v)
	})
}

// Partition returns the table partition the context's record belongs to
// (-1 outside Process and Tick).
func Partition(ctx context.Context) int32 {
	st, _ := ctx.Value(stateKey{}).(*nodeState)
	if st == nil || st.cur == nil {
		return -1
	}
	return st.cur.p
}

// Ticker is implemented by processors with tables that act on time as
// well as on records (closing windows, sending digests whose interval
// ended): the runtime calls Tick for each partition it owns about every
// TickEvery (default 1s), between batches, with the partition's tables
// current in ctx. What Tick emits goes out like Process's outputs and is
// committed with the batch.
type Ticker[Out Record] interface {
	Tick(ctx context.Context, now time.Time, emit func(*Out)) error
}

// SideOutputs is implemented by processors that divert some inputs to
// topics of their own ("<topology>.<node>.<name>", e.g. late records of a
// window): the runtime creates the topics; Divert sends to them.
type SideOutputs interface {
	SideOutputs() []string
}

type inputKey struct{}

// InputOffset returns the partition and offset of the input record being
// processed (ok false outside Process): stateful processors record it to
// tell a replay of the same record after a crash from a new one.
func InputOffset(ctx context.Context) (partition int32, offset int64, ok bool) {
	cur, _ := ctx.Value(inputKey{}).(**transport.Record)
	if cur == nil || *cur == nil {
		return -1, -1, false
	}
	return (*cur).Partition, (*cur).Offset, true
}
