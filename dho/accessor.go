package dho

import (
	"time"
	"unsafe"
)

// accessor reaches the storage of one field inside a record of type R. Exactly
// one function is set, the one for the field's storage.
type accessor[R any] struct {
	str  func(*R) *string
	strs func(*R) *[]string
	i    func(*R) **int64
	is   func(*R) *[]int64
	f    func(*R) **float64
	b    func(*R) **bool
	t    func(*R) **time.Time
	raw  func(*R) *[]byte
	x    func(*R) *Extra
}

func aStr[R any](f func(*R) *string) *accessor[R]      { return &accessor[R]{str: f} }
func aStrs[R any](f func(*R) *[]string) *accessor[R]   { return &accessor[R]{strs: f} }
func aInt[R any](f func(*R) **int64) *accessor[R]      { return &accessor[R]{i: f} }
func aInts[R any](f func(*R) *[]int64) *accessor[R]    { return &accessor[R]{is: f} }
func aFloat[R any](f func(*R) **float64) *accessor[R]  { return &accessor[R]{f: f} }
func aBool[R any](f func(*R) **bool) *accessor[R]      { return &accessor[R]{b: f} }
func aTime[R any](f func(*R) **time.Time) *accessor[R] { return &accessor[R]{t: f} }
func aBytes[R any](f func(*R) *[]byte) *accessor[R]    { return &accessor[R]{raw: f} }
func aExtra[R any](f func(*R) *Extra) *accessor[R]     { return &accessor[R]{x: f} }

// within turns an accessor on a part S (an Endpoint, a Geolocation) into one on
// the record R that holds the part, so that the fields of source.* and
// destination.* are declared once.
func within[R, S any](a *accessor[S], part func(*R) *S) *accessor[R] {
	out := &accessor[R]{}
	switch {
	case a.str != nil:
		out.str = func(r *R) *string { return a.str(part(r)) }
	case a.strs != nil:
		out.strs = func(r *R) *[]string { return a.strs(part(r)) }
	case a.i != nil:
		out.i = func(r *R) **int64 { return a.i(part(r)) }
	case a.is != nil:
		out.is = func(r *R) *[]int64 { return a.is(part(r)) }
	case a.f != nil:
		out.f = func(r *R) **float64 { return a.f(part(r)) }
	case a.b != nil:
		out.b = func(r *R) **bool { return a.b(part(r)) }
	case a.t != nil:
		out.t = func(r *R) **time.Time { return a.t(part(r)) }
	case a.raw != nil:
		out.raw = func(r *R) *[]byte { return a.raw(part(r)) }
	case a.x != nil:
		out.x = func(r *R) *Extra { return a.x(part(r)) }
	}
	return out
}

// storage reports which storage the accessor reaches.
func (a *accessor[R]) storage() storage {
	switch {
	case a.str != nil:
		return stString
	case a.strs != nil:
		return stStrings
	case a.i != nil:
		return stInt
	case a.is != nil:
		return stInts
	case a.f != nil:
		return stFloat
	case a.b != nil:
		return stBool
	case a.t != nil:
		return stTime
	case a.raw != nil:
		return stBytes
	case a.x != nil:
		return stExtra
	}
	return 0
}

// offset returns where the field lives inside an R: the closure is called
// once on a probe value at init, and from then on the hot paths (flat
// encoding and decoding, access by name) reach the field by offset instead
// of through closures.
func (a *accessor[R]) offset() uintptr {
	probe := new(R)
	var p unsafe.Pointer
	switch {
	case a.str != nil:
		p = unsafe.Pointer(a.str(probe))
	case a.strs != nil:
		p = unsafe.Pointer(a.strs(probe))
	case a.i != nil:
		p = unsafe.Pointer(a.i(probe))
	case a.is != nil:
		p = unsafe.Pointer(a.is(probe))
	case a.f != nil:
		p = unsafe.Pointer(a.f(probe))
	case a.b != nil:
		p = unsafe.Pointer(a.b(probe))
	case a.t != nil:
		p = unsafe.Pointer(a.t(probe))
	case a.raw != nil:
		p = unsafe.Pointer(a.raw(probe))
	case a.x != nil:
		p = unsafe.Pointer(a.x(probe))
	}
	off := uintptr(p) - uintptr(unsafe.Pointer(probe))
	if off >= unsafe.Sizeof(*probe) {
		panic("dho: accessor does not point into its record")
	}
	return off
}

// slotPtr is a pointer to one field's storage inside a record.
type slotPtr struct{ p unsafe.Pointer }

func fieldAt(base unsafe.Pointer, off uintptr) slotPtr { return slotPtr{unsafe.Add(base, off)} }

func (p slotPtr) str() *string    { return (*string)(p.p) }
func (p slotPtr) strs() *[]string { return (*[]string)(p.p) }
func (p slotPtr) i() **int64      { return (**int64)(p.p) }
func (p slotPtr) is() *[]int64    { return (*[]int64)(p.p) }
func (p slotPtr) f() **float64    { return (**float64)(p.p) }
func (p slotPtr) b() **bool       { return (**bool)(p.p) }
func (p slotPtr) t() **time.Time  { return (**time.Time)(p.p) }
func (p slotPtr) raw() *[]byte    { return (*[]byte)(p.p) }
func (p slotPtr) extra() *Extra   { return (*Extra)(p.p) }

// has reports whether the storage holds a value.
func (p slotPtr) has(st storage) bool {
	switch st {
	case stString:
		return *p.str() != ""
	case stStrings:
		return len(*p.strs()) > 0
	case stInt:
		return *p.i() != nil
	case stInts:
		return len(*p.is()) > 0
	case stFloat:
		return *p.f() != nil
	case stBool:
		return *p.b() != nil
	case stTime:
		return *p.t() != nil
	case stBytes:
		return *p.raw() != nil
	case stExtra:
		return len(*p.extra()) > 0
	}
	return false
}

// count returns how many values the storage holds.
func (p slotPtr) count(st storage) int {
	switch st {
	case stStrings:
		return len(*p.strs())
	case stInts:
		return len(*p.is())
	}
	if p.has(st) {
		return 1
	}
	return 0
}

// assign makes the storage hold what q holds, sharing its slice, pointer
// or map (see own).
func (p slotPtr) assign(q slotPtr, st storage) {
	switch st {
	case stString:
		*p.str() = *q.str()
	case stStrings:
		*p.strs() = *q.strs()
	case stInt:
		*p.i() = *q.i()
	case stInts:
		*p.is() = *q.is()
	case stFloat:
		*p.f() = *q.f()
	case stBool:
		*p.b() = *q.b()
	case stTime:
		*p.t() = *q.t()
	case stBytes:
		*p.raw() = *q.raw()
	case stExtra:
		*p.extra() = *q.extra()
	}
}

// clear unsets the storage.
func (p slotPtr) clear(st storage) {
	switch st {
	case stString:
		*p.str() = ""
	case stStrings:
		*p.strs() = nil
	case stInt:
		*p.i() = nil
	case stInts:
		*p.is() = nil
	case stFloat:
		*p.f() = nil
	case stBool:
		*p.b() = nil
	case stTime:
		*p.t() = nil
	case stBytes:
		*p.raw() = nil
	case stExtra:
		*p.extra() = nil
	}
}

// get returns the stored value as plain Go data (see Event.Get).
func (p slotPtr) get(st storage) (any, bool) {
	if !p.has(st) {
		return nil, false
	}
	switch st {
	case stString:
		return *p.str(), true
	case stStrings:
		return *p.strs(), true
	case stInt:
		return **p.i(), true
	case stInts:
		return *p.is(), true
	case stFloat:
		return **p.f(), true
	case stBool:
		return **p.b(), true
	case stTime:
		return **p.t(), true
	case stBytes:
		return *p.raw(), true
	case stExtra:
		return *p.extra(), true
	}
	return nil, false
}
