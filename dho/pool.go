package dho

import "sync"

// Events are large (about 1.5 KB, with an extra map of about 1 KB more)
// and a parser makes one per line: at a few hundred thousand events a
// second, making each anew costs about as much as the parsing, in
// allocation and in collection. A receiver that is done with an event (it
// encoded or wrote it, and keeps no reference to it or to its extra map)
// hands it back with ReleaseEvent, and AcquireEvent gives it out again,
// emptied. The topology runtime does so for the events of processors that
// make them this way (topology.Recycler; parser nodes do).
//
// The pools are bounded free lists rather than sync.Pools: a receiver may
// hand back events that were never taken from the pool (a parser that makes
// its own), and a sync.Pool would keep every one of those until the next
// collection, which then has to mark them all; a full list lets them go.
var (
	events freeList[*Event]
	extras freeList[Extra]
)

// poolSize is how many events, and how many extra maps, the pools keep: a
// parser node takes one and hands it back per event, so a few per worker
// would do.
const poolSize = 256

// maxPooledExtra is the largest extra map ReleaseEvent keeps: an emptied
// map keeps its size, and ranging over it costs that size.
const maxPooledExtra = 64

type freeList[T any] struct {
	mu    sync.Mutex
	items []T
}

func (l *freeList[T]) get() (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var zero T
	n := len(l.items)
	if n == 0 {
		return zero, false
	}
	v := l.items[n-1]
	l.items[n-1] = zero
	l.items = l.items[:n-1]
	return v, true
}

func (l *freeList[T]) put(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) < poolSize {
		l.items = append(l.items, v)
	}
}

// AcquireEvent returns an empty event: one that ReleaseEvent took back when
// there is one, else a new one.
func AcquireEvent() *Event {
	if e, ok := events.get(); ok {
		return e
	}
	return new(Event)
}

// ReleaseEvent hands e back for AcquireEvent and MakeExtra to give out
// again. Nothing may use e, or the map in its Extra, afterwards: call it
// only for an event nothing else refers to. The values e held are not
// touched (strings, lists and the like stay valid where they were copied
// to); only the event and its extra map are reused.
func ReleaseEvent(e *Event) {
	if e == nil {
		return
	}
	if x := e.Extra; x != nil && len(x) <= maxPooledExtra {
		clear(x)
		extras.put(x)
	}
	*e = Event{}
	events.put(e)
}

// MakeExtra returns an empty extra map with room for about hint values: one
// that ReleaseEvent took back when there is one, else a new one.
func MakeExtra(hint int) Extra {
	if x, ok := extras.get(); ok {
		return x
	}
	return make(Extra, hint)
}
