package shadowserver

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestUnusedColumns checks the list of unused columns against the plain
// list IntelMQ keeps (remove takes out the first occurrence, add appends),
// on headers with repeated names and random sequences of operations.
func TestUnusedColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var u unusedColumns
	for round := 0; round < 2000; round++ {
		ids := 1 + r.IntN(6)
		initial := make([]int, 1+r.IntN(10))
		for i := range initial {
			initial[i] = r.IntN(ids)
		}
		// Every id appears in the header at least once.
		for id := 0; id < ids; id++ {
			if !slices.Contains(initial, id) {
				initial = append(initial, id)
			}
		}
		u.setHeader(initial, ids)
		if round%500 == 499 {
			u.gen = math.MaxUint32 - 1 // the stamps wrap in the second row
		}
		for row := 0; row < 3; row++ {
			u.reset()
			want := slices.Clone(initial)
			for op := 0; op < 20; op++ {
				id := r.IntN(ids)
				if got := u.has(id); got != slices.Contains(want, id) {
					t.Fatalf("round %d: has(%d) = %v, list %v", round, id, got, want)
				}
				if r.IntN(3) == 0 {
					u.add(id)
					want = append(want, id)
				} else {
					u.remove(id)
					if i := slices.Index(want, id); i >= 0 {
						want = slices.Delete(want, i, i+1)
					}
				}
			}
			var got []int
			for i := range u.len() {
				if id, live := u.at(i); live {
					got = append(got, id)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, row %d: header %v: unused %v, want %v", round, row, initial, got, want)
			}
		}
	}
}
