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

var (
	eventPool = sync.Pool{New: func() any { return new(Event) }}
	extraPool sync.Pool
)

// maxPooledExtra is the largest extra map ReleaseEvent keeps: an emptied
// map keeps its size, and ranging over it costs that size.
const maxPooledExtra = 64

// AcquireEvent returns an empty event: one that ReleaseEvent took back when
// there is one, else a new one.
func AcquireEvent() *Event { return eventPool.Get().(*Event) }

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
		extraPool.Put(x)
	}
	*e = Event{}
	eventPool.Put(e)
}

// MakeExtra returns an empty extra map with room for about hint values: one
// that ReleaseEvent took back when there is one, else a new one.
func MakeExtra(hint int) Extra {
	if x, ok := extraPool.Get().(Extra); ok {
		return x
	}
	return make(Extra, hint)
}
