package dho

import "time"

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

// has reports whether the field is set in r.
func (a *accessor[R]) has(r *R) bool {
	switch {
	case a.str != nil:
		return *a.str(r) != ""
	case a.strs != nil:
		return len(*a.strs(r)) > 0
	case a.i != nil:
		return *a.i(r) != nil
	case a.is != nil:
		return len(*a.is(r)) > 0
	case a.f != nil:
		return *a.f(r) != nil
	case a.b != nil:
		return *a.b(r) != nil
	case a.t != nil:
		return *a.t(r) != nil
	case a.raw != nil:
		return *a.raw(r) != nil
	case a.x != nil:
		return len(*a.x(r)) > 0
	}
	return false
}

// clear unsets the field in r.
func (a *accessor[R]) clear(r *R) {
	switch {
	case a.str != nil:
		*a.str(r) = ""
	case a.strs != nil:
		*a.strs(r) = nil
	case a.i != nil:
		*a.i(r) = nil
	case a.is != nil:
		*a.is(r) = nil
	case a.f != nil:
		*a.f(r) = nil
	case a.b != nil:
		*a.b(r) = nil
	case a.t != nil:
		*a.t(r) = nil
	case a.raw != nil:
		*a.raw(r) = nil
	case a.x != nil:
		*a.x(r) = nil
	}
}

// get returns the field's value in r as plain Go data (see Event.Get).
func (a *accessor[R]) get(r *R) (any, bool) {
	if !a.has(r) {
		return nil, false
	}
	switch {
	case a.str != nil:
		return *a.str(r), true
	case a.strs != nil:
		return *a.strs(r), true
	case a.i != nil:
		return **a.i(r), true
	case a.is != nil:
		return *a.is(r), true
	case a.f != nil:
		return **a.f(r), true
	case a.b != nil:
		return **a.b(r), true
	case a.t != nil:
		return **a.t(r), true
	case a.raw != nil:
		return *a.raw(r), true
	case a.x != nil:
		return *a.x(r), true
	}
	return nil, false
}
