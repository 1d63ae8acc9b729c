package dho

import "slices"

// Clone returns a deep copy of e: no slice, pointer or extra value is
// shared, so the copy can be changed (or handed to another goroutine)
// without touching e. Parsers that emit several events from one record
// (one per address, per account) start each from a clone.
func (e *Event) Clone() *Event {
	c := *e
	c.view().deepen()
	return &c
}

// Clone returns a deep copy of r (see Event.Clone).
func (r *Report) Clone() *Report {
	c := *r
	c.view().deepen()
	return &c
}

// deepen replaces every shared slice, pointer and map of a shallow copy
// with a copy of its own.
func (w view) deepen() {
	for _, f := range w.info().fields {
		w.at(f).own(f.st)
	}
}

// own replaces the storage's slice, pointer or map, which a shallow copy
// shares with its original, with a copy of its own.
func (p slotPtr) own(st storage) {
	switch st {
	case stStrings:
		*p.strs() = slices.Clone(*p.strs())
	case stInts:
		*p.is() = slices.Clone(*p.is())
	case stInt:
		*p.i() = clonePtr(*p.i())
	case stFloat:
		*p.f() = clonePtr(*p.f())
	case stBool:
		*p.b() = clonePtr(*p.b())
	case stTime:
		*p.t() = clonePtr(*p.t())
	case stBytes:
		*p.raw() = slices.Clone(*p.raw())
	case stExtra:
		*p.extra() = (*p.extra()).Clone()
	}
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
