package topology

import (
	"fmt"
	"hash/maphash"
	"sync/atomic"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/comparer"
	"github.com/syndtr/goleveldb/leveldb/memdb"
	"github.com/syndtr/goleveldb/leveldb/storage"
)

func TestKeyFilter(t *testing.T) {
	f := newKeyFilter(maphash.MakeSeed(), nil)
	const n = 50_000
	for i := range n {
		f.add(fmt.Appendf(nil, "dseen\x00h/%d", i))
	}
	for i := range n {
		if !f.mayContain(fmt.Appendf(nil, "dseen\x00h/%d", i)) {
			t.Fatalf("key %d added but not found", i)
		}
	}
	fp := 0
	for i := range n {
		if f.mayContain(fmt.Appendf(nil, "dseen\x00x/%d", i)) {
			fp++
		}
	}
	if rate := float64(fp) / n; rate > 0.02 {
		t.Errorf("false positive rate %.3f, want about 0.01", rate)
	}
	if f.full() {
		t.Errorf("full after %d keys of %d", n, f.limit)
	}
	for i := n; i < f.limit; i++ {
		f.add(fmt.Appendf(nil, "k%d", i))
	}
	if !f.full() {
		t.Error("not full at its limit")
	}
}

// TestPartStateFilter checks that a partition's store answers from its
// filter only for keys it never held: keys committed, keys in a store
// opened again, and keys after the filter filled up and was rebuilt.
func TestPartStateFilter(t *testing.T) {
	stor := storage.NewMemStorage()
	open := func() (*nodeState, *partState) {
		db, err := leveldb.Open(stor, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps := &partState{db: db, pending: map[string]pendingWrite{}, order: memdb.New(comparer.DefaultComparer, 0),
			acked: map[string]*atomic.Int64{"t": new(atomic.Int64)}}
		if err := ps.buildFilter(); err != nil {
			t.Fatal(err)
		}
		st := &nodeState{parts: map[int32]*partState{0: ps}}
		ps.st = st
		return st, ps
	}
	st, ps := open()
	put := func(from, to int) {
		for i := from; i < to; i++ {
			if err := ps.put(t.Context(), "t", fmt.Appendf(nil, "k%d", i), []byte("v")); err != nil {
				t.Fatal(err)
			}
			if i%1000 == 999 || i == to-1 {
				if err := st.commit(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	check := func(when string, n int) {
		t.Helper()
		for i := range n {
			if _, ok, err := ps.get("t", fmt.Appendf(nil, "k%d", i)); err != nil || !ok {
				t.Fatalf("%s: key k%d not found (%v)", when, i, err)
			}
		}
		if _, ok, _ := ps.get("t", []byte("absent")); ok {
			t.Fatalf("%s: an absent key found", when)
		}
	}
	put(0, 1000)
	check("committed", 1000)
	// Delete one: gone, though the filter still says maybe.
	if err := ps.put(t.Context(), "t", []byte("k0"), nil); err != nil {
		t.Fatal(err)
	}
	if err := st.commit(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ps.get("t", []byte("k0")); ok {
		t.Fatal("deleted key found")
	}
	put(0, 1)
	if err := ps.db.Close(); err != nil {
		t.Fatal(err)
	}
	st, ps = open()
	check("reopened", 1000)
	limit := ps.filter.limit
	put(1000, limit+10)
	if ps.filter.added != limit+10 || ps.filter.limit != 2*(limit+10) {
		t.Fatalf("filter not rebuilt after %d keys: %d keys, limit %d", limit+10, ps.filter.added, ps.filter.limit)
	}
	check("rebuilt", limit+10)
}
