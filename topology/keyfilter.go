package topology

import (
	"hash/maphash"
	"math/bits"
)

// keyFilter is a Bloom filter over the keys of one partition's local
// store: a lookup of a key it has never held is answered in memory instead
// of by LevelDB, whose negative lookups search the memtables' skip lists
// and the tables' filters (~7 µs a miss, where a deduplicator misses once
// per new event). It may answer "maybe" for a key the store does not hold
// (about 1% with 10 bits a key; then the store is asked), never "no" for
// one it holds: every key written to the store is added before the write.
//
// Deleted keys stay in the filter, so it fills up; it is rebuilt from the
// store when the keys added since it was built reach its capacity.
type keyFilter struct {
	bits  []uint64
	mask  uint64 // len(bits)*64 - 1 (a power of two)
	seed  maphash.Seed
	added int // keys added since the filter was built (with the store's)
	limit int // added at which it is rebuilt
}

const (
	filterBitsPerKey = 10
	filterProbes     = 7 // optimal for 10 bits a key: ~0.8% false positives
	filterMinKeys    = 1 << 16
)

// newKeyFilter returns a filter holding the keys whose hashes (by
// keyHash with seed) are given, with room for as many again (at least
// filterMinKeys) before it must be rebuilt.
func newKeyFilter(seed maphash.Seed, hashes []uint64) *keyFilter {
	capKeys := max(2*len(hashes), filterMinKeys)
	nbits := uint64(1) << bits.Len64(uint64(capKeys*filterBitsPerKey-1))
	f := &keyFilter{bits: make([]uint64, nbits/64), mask: nbits - 1, seed: seed, limit: capKeys}
	for _, h := range hashes {
		f.addHash(h)
	}
	return f
}

func keyHash(seed maphash.Seed, key []byte) uint64 { return maphash.Bytes(seed, key) }

func (f *keyFilter) add(key []byte) { f.addHash(keyHash(f.seed, key)) }

func (f *keyFilter) addHash(h uint64) {
	h1, h2 := h, h>>32|h<<32|1
	for range filterProbes {
		i := h1 & f.mask
		f.bits[i/64] |= 1 << (i % 64)
		h1 += h2
	}
	f.added++
}

// mayContain reports whether key may have been added.
func (f *keyFilter) mayContain(key []byte) bool {
	h := keyHash(f.seed, key)
	h1, h2 := h, h>>32|h<<32|1
	for range filterProbes {
		i := h1 & f.mask
		if f.bits[i/64]&(1<<(i%64)) == 0 {
			return false
		}
		h1 += h2
	}
	return true
}

// full reports whether the filter holds as many keys as it was sized for.
func (f *keyFilter) full() bool { return f.added >= f.limit }
