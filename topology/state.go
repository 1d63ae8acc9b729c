package topology

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/comparer"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/memdb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/intelstream/intelstream/transport"
)

type stateKey struct{}

// changelogTopic names the changelog topic of a node's table.
func (t *Topology) changelogTopic(n *node, table string) string {
	return t.name + "." + n.name + "." + table + ".changelog"
}

// nodeState is the table state of one running node: a local store per
// table partition it owns, the writes of the batch in progress, and what
// the consumer's rebalance callbacks said it owns.
type nodeState struct {
	rt     *nodeRuntime
	tables []TableRef
	index  map[string]int
	topics map[string]string // table → changelog topic
	dir    string            // "" keeps the stores in memory
	reader transport.PartitionReader

	mu    sync.Mutex
	owned map[int32]int // partition → input topics that assigned it

	parts map[int32]*partState
	cur   *partState
}

// partState is one table partition: its local store and the pending writes
// of the current batch.
type partState struct {
	st      *nodeState
	p       int32
	db      *leveldb.DB
	stor    storage.Storage         // closed after db (leveldb.Open leaves it open)
	pending map[string]pendingWrite // by store key
	// order holds the pending keys sorted (values empty), so that a
	// range over a prefix finds its pending writes without looking at
	// all of them. Keys enter it when a range needs it: unordered holds
	// the pending keys not in it yet (most batches never range).
	order     *memdb.DB
	unordered [][]byte
	acked     map[string]*atomic.Int64
	// filter holds every key of the store (and some deleted ones): get
	// asks the store only for keys it may hold.
	filter *keyFilter
}

type pendingWrite struct {
	table string
	full  []byte // the store key
	key   []byte // the table key: the end of full
	value []byte
	del   bool
}

// Store keys: "d<table>\x00<key>" for entries, "o<table>" for the offset of
// the last changelog record the store holds.
func dataKey(table string, key []byte) []byte {
	b := make([]byte, 0, 2+len(table)+len(key))
	b = append(b, 'd')
	b = append(b, table...)
	b = append(b, 0)
	return append(b, key...)
}

func offsetKey(table string) []byte { return append([]byte{'o'}, table...) }

func newNodeState(rt *nodeRuntime, tables []TableRef, cfg *runConfig) (*nodeState, error) {
	st := &nodeState{rt: rt, tables: tables, index: map[string]int{}, topics: map[string]string{},
		owned: map[int32]int{}, parts: map[int32]*partState{}}
	for i, tb := range tables {
		st.index[tb.TableName()] = i
		st.topics[tb.TableName()] = rt.t.changelogTopic(rt.n, tb.TableName())
	}
	reader, ok := cfg.transport.(transport.PartitionReader)
	if !ok {
		return nil, fmt.Errorf("node %s: tables need a transport that can read partitions (transport.PartitionReader)", rt.n.name)
	}
	st.reader = reader
	if !cfg.memoryState {
		dir, err := nodeStateDir(cfg, rt.t, rt.n)
		if err != nil {
			return nil, err
		}
		st.dir = dir
	}
	return st, nil
}

// nodeStateDir is where node n keeps what it must remember on disk:
// <state dir>/<topology>/<node>, the state dir being WithStateDir's or
// intelstream/state in the user's cache directory.
func nodeStateDir(cfg *runConfig, t *Topology, n *node) (string, error) {
	dir := cfg.stateDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("node %s: no state directory given and no user cache directory: %w", n.name, err)
		}
		dir = filepath.Join(base, "intelstream", "state")
	}
	return filepath.Join(dir, t.name, n.name), nil
}

type stateDirKey struct{}

// ContextWithStateDir returns ctx with dir as its StateDir, for running a
// collector outside a topology (tests, embedding).
func ContextWithStateDir(ctx context.Context, dir string) context.Context {
	return context.WithValue(ctx, stateDirKey{}, dir)
}

// StateDir returns the directory where the node running ctx may keep small
// state of its own on disk, such as a collector's HTTP validators or the
// names of reports it already fetched: <state dir>/<topology>/<node>
// (created on first use by the caller). ok is false when the run keeps
// state in memory (WithMemoryState) or outside a node.
func StateDir(ctx context.Context) (dir string, ok bool) {
	dir, _ = ctx.Value(stateDirKey{}).(string)
	return dir, dir != ""
}

// assigned and revoked are the consumer's rebalance callbacks: they only
// record what the node owns; the node's own goroutine opens and closes
// stores (sync).
func (st *nodeState) assigned(_ string, parts []int32) {
	st.mu.Lock()
	for _, p := range parts {
		st.owned[p]++
	}
	st.mu.Unlock()
}

func (st *nodeState) revoked(_ string, parts []int32) {
	st.mu.Lock()
	for _, p := range parts {
		if st.owned[p]--; st.owned[p] <= 0 {
			delete(st.owned, p)
		}
	}
	st.mu.Unlock()
}

// sync opens (and restores) the stores of partitions the node gained and
// closes those of partitions it lost. It runs between batches, when no
// write is pending.
func (st *nodeState) sync(ctx context.Context) error {
	st.mu.Lock()
	owned := make([]int32, 0, len(st.owned))
	for p := range st.owned {
		owned = append(owned, p)
	}
	st.mu.Unlock()
	slices.Sort(owned)
	for p, ps := range st.parts {
		if !slices.Contains(owned, p) {
			if err := ps.close(); err != nil {
				return err
			}
			delete(st.parts, p)
		}
	}
	for _, p := range owned {
		if _, err := st.open(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// enter makes partition p the current one (restoring it first if needed).
func (st *nodeState) enter(ctx context.Context, p int32) error {
	ps, err := st.open(ctx, p)
	if err != nil {
		return err
	}
	st.cur = ps
	return nil
}

// partitions returns the open partitions in order.
func (st *nodeState) partitions() []int32 {
	ps := make([]int32, 0, len(st.parts))
	for p := range st.parts {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// open returns partition p's state, opening its store and restoring it
// from the changelog when it is not open yet.
func (st *nodeState) open(ctx context.Context, p int32) (*partState, error) {
	if ps, ok := st.parts[p]; ok {
		return ps, nil
	}
	var stor storage.Storage
	if st.dir == "" {
		stor = storage.NewMemStorage()
	} else {
		dir := filepath.Join(st.dir, "p"+strconv.Itoa(int(p)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("state of partition %d: %w", p, err)
		}
		fs, err := storage.OpenFile(dir, false)
		if err != nil {
			return nil, fmt.Errorf("state of partition %d: %w", p, err)
		}
		stor = fs
	}
	// No compression: table entries are small (hashes, counters, group
	// headers) and Snappy cost ~9% of a deduplicator's CPU per event. A
	// bloom filter spares the table-file reads of keys not there (every
	// new hash): ~25% less CPU per deduplicated event.
	db, err := leveldb.Open(stor, &opt.Options{NoSync: true, Compression: opt.NoCompression, Filter: filter.NewBloomFilter(10)})
	if err != nil {
		stor.Close()
		return nil, fmt.Errorf("state of partition %d: %w", p, err)
	}
	ps := &partState{st: st, p: p, db: db, stor: stor, pending: map[string]pendingWrite{}, order: memdb.New(comparer.DefaultComparer, 0), acked: map[string]*atomic.Int64{}}
	for _, tb := range st.tables {
		a := new(atomic.Int64)
		a.Store(-1)
		ps.acked[tb.TableName()] = a
	}
	for _, tb := range st.tables {
		if err := ps.restore(ctx, tb.TableName()); err != nil {
			ps.close()
			return nil, err
		}
	}
	if err := ps.buildFilter(); err != nil {
		ps.close()
		return nil, fmt.Errorf("state of partition %d: %w", p, err)
	}
	st.parts[p] = ps
	return ps, nil
}

// restore brings one table of the partition up to the end of its
// changelog, from the offset the store last saw.
func (ps *partState) restore(ctx context.Context, table string) error {
	topic := ps.st.topics[table]
	last, err := ps.offset(table)
	if err != nil {
		return err
	}
	n := 0
	applied := last
	batch := new(leveldb.Batch)
	flush := func() error {
		if batch.Len() == 0 {
			return nil
		}
		batch.Put(offsetKey(table), binary.BigEndian.AppendUint64(nil, uint64(applied)))
		err := ps.db.Write(batch, nil)
		batch.Reset()
		return err
	}
	apply := func(r *transport.Record) error {
		if r.Value == nil {
			batch.Delete(dataKey(table, r.Key))
		} else {
			batch.Put(dataKey(table, r.Key), r.Value)
		}
		applied = r.Offset
		n++
		if batch.Len() >= 1000 {
			return flush()
		}
		return nil
	}
	end, err := ps.st.reader.ReadPartition(ctx, topic, ps.p, last+1, apply)
	if err != nil {
		return fmt.Errorf("restoring table %s partition %d from %s: %w", table, ps.p, topic, err)
	}
	if last+1 > end {
		// The store saw records the changelog does not have: it belongs
		// to an earlier changelog (the topic was deleted and created
		// again). Start over from the changelog.
		ps.st.rt.log.Warn("local store is ahead of its changelog; restoring from the start", "table", table, "partition", ps.p, "store_offset", last, "changelog_end", end)
		if err := ps.wipe(table); err != nil {
			return err
		}
		applied = -1
		if _, err := ps.st.reader.ReadPartition(ctx, topic, ps.p, 0, apply); err != nil {
			return fmt.Errorf("restoring table %s partition %d from %s: %w", table, ps.p, topic, err)
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("restoring table %s partition %d: %w", table, ps.p, err)
	}
	ps.st.rt.log.Debug("table restored", "table", table, "partition", ps.p, "records", n, "from", last+1, "end", end)
	return nil
}

// offset returns the offset of the last changelog record the store holds
// (-1 for none).
func (ps *partState) offset(table string) (int64, error) {
	b, err := ps.db.Get(offsetKey(table), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("table %s: corrupt offset in local store", table)
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// wipe deletes every entry of a table and its offset.
func (ps *partState) wipe(table string) error {
	batch := new(leveldb.Batch)
	it := ps.db.NewIterator(util.BytesPrefix(dataKey(table, nil)), nil)
	for it.Next() {
		batch.Delete(slices.Clone(it.Key()))
	}
	it.Release()
	if err := it.Error(); err != nil {
		return err
	}
	batch.Delete(offsetKey(table))
	return ps.db.Write(batch, nil)
}

// buildFilter (re)builds the key filter from the keys of the store: on
// opening (one pass over the store's keys) and when it has filled up.
func (ps *partState) buildFilter() error {
	seed := maphash.MakeSeed()
	var hashes []uint64
	it := ps.db.NewIterator(util.BytesPrefix([]byte{'d'}), nil)
	for it.Next() {
		hashes = append(hashes, keyHash(seed, it.Key()))
	}
	it.Release()
	if err := it.Error(); err != nil {
		return err
	}
	ps.filter = newKeyFilter(seed, hashes)
	return nil
}

func (ps *partState) get(table string, key []byte) ([]byte, bool, error) {
	dk := dataKey(table, key)
	if w, ok := ps.pending[string(dk)]; ok {
		return w.value, !w.del, nil
	}
	if ps.filter != nil && !ps.filter.mayContain(dk) {
		return nil, false, nil // never written to the store
	}
	v, err := ps.db.Get(dk, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// put records a write (nil value: delete) for the batch and sends it to
// the changelog, in the batch's transaction when there is one.
func (ps *partState) put(ctx context.Context, table string, key, value []byte) error {
	dk := dataKey(table, key)
	w := pendingWrite{table: table, full: dk, key: dk[len(dk)-len(key):], value: value, del: value == nil}
	n := len(ps.pending)
	ps.pending[string(dk)] = w
	if len(ps.pending) > n { // a key new to the batch
		ps.unordered = append(ps.unordered, dk)
	}
	return nil
}

// ordered brings the pending keys not yet in order into it.
func (ps *partState) ordered() error {
	for i, k := range ps.unordered {
		if err := ps.order.Put(k, nil); err != nil {
			return err
		}
		ps.unordered[i] = nil
	}
	ps.unordered = ps.unordered[:0]
	return nil
}

// resetPending forgets the batch's pending writes.
func (ps *partState) resetPending() {
	clear(ps.pending)
	ps.order.Reset()
	clear(ps.unordered)
	ps.unordered = ps.unordered[:0]
}

// send produces the batch's pending writes to the changelogs: one record
// per key written, with its last value (a key written many times in a
// batch, such as a counter, costs one record). It runs once per batch,
// before the batch's outputs are flushed and its input committed.
func (st *nodeState) send(ctx context.Context) {
	rt := st.rt
	for _, ps := range st.parts {
		for _, w := range ps.pending {
			acked := ps.acked[w.table]
			r := &transport.Record{Topic: st.topics[w.table], Partition: ps.p, ManualPartition: true, Key: w.key, Value: w.value}
			rt.sendWith(ctx, r, func(r *transport.Record, err error) {
				rt.acked(r, err)
				if err == nil {
					for {
						cur := acked.Load()
						if r.Offset <= cur || acked.CompareAndSwap(cur, r.Offset) {
							break
						}
					}
				}
			})
		}
	}
}

// scan merges the store's entries under prefix with the batch's pending
// writes, in key order.
func (ps *partState) scan(table string, prefix []byte, fn func(k, v []byte) (bool, error)) error {
	full := dataKey(table, prefix)
	strip := len(dataKey(table, nil))
	if err := ps.ordered(); err != nil {
		return err
	}
	pit := ps.order.NewIterator(util.BytesPrefix(full))
	defer pit.Release()
	pmore := pit.Next()
	it := ps.db.NewIterator(util.BytesPrefix(full), nil)
	defer it.Release()
	more := it.Next()
	for more || pmore {
		var k, v []byte
		switch {
		case pmore && (!more || bytes.Compare(pit.Key(), it.Key()) <= 0):
			k = slices.Clone(pit.Key())
			w := ps.pending[string(k)]
			if more && bytes.Equal(k, it.Key()) {
				more = it.Next()
			}
			pmore = pit.Next()
			if w.del {
				continue
			}
			v = w.value
		default:
			// Copied: the iterator reuses its buffers on Next.
			k, v = slices.Clone(it.Key()), slices.Clone(it.Value())
			more = it.Next()
		}
		goOn, err := fn(k[strip:], v)
		if err != nil || !goOn {
			return err
		}
	}
	return it.Error()
}

// commit writes the batch's pending writes, with the changelog offsets
// they reached, to the local stores: the batch is committed.
func (st *nodeState) commit() error {
	for _, ps := range st.parts {
		batch := new(leveldb.Batch)
		for _, w := range ps.pending {
			if w.del {
				batch.Delete(w.full)
			} else {
				ps.filter.add(w.full) // before the store has it
				batch.Put(w.full, w.value)
			}
		}
		for table, a := range ps.acked {
			if off := a.Swap(-1); off >= 0 {
				batch.Put(offsetKey(table), binary.BigEndian.AppendUint64(nil, uint64(off)))
			}
		}
		if batch.Len() == 0 {
			continue
		}
		if err := ps.db.Write(batch, nil); err != nil {
			return fmt.Errorf("state of partition %d: %w", ps.p, err)
		}
		ps.resetPending()
		if ps.filter.full() {
			if err := ps.buildFilter(); err != nil {
				return fmt.Errorf("state of partition %d: %w", ps.p, err)
			}
		}
	}
	return nil
}

// abort drops the batch's pending writes: its transaction was aborted and
// the input comes again.
func (st *nodeState) abort() {
	for _, ps := range st.parts {
		ps.resetPending()
		for _, a := range ps.acked {
			a.Store(-1)
		}
	}
}

func (ps *partState) close() error {
	err := errors.Join(ps.db.Close(), ps.stor.Close())
	if err != nil {
		return fmt.Errorf("state of partition %d: %w", ps.p, err)
	}
	return nil
}

// close closes every open store.
func (st *nodeState) close() error {
	var errs []error
	for p, ps := range st.parts {
		errs = append(errs, ps.close())
		delete(st.parts, p)
	}
	st.cur = nil
	return errors.Join(errs...)
}
