package dho

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Hash returns a SHA-256 hex digest of the event's fields: with include
// true only the named fields count (IntelMQ's "whitelist"), with include
// false every field but the named ones (its "blacklist"). Field names and
// values are hashed in name order, so equal events hash equal whatever
// order their fields were set in. A name ending in ".*" stands for every
// field under it (extra.* is every extra value).
//
// What is hashed is, per field in name order, "name=value\n": the value as
// text (a time in UTC RFC 3339 with nanoseconds, a multi-valued field as a
// JSON array of its sorted values, an extra value as JSON, a number or
// boolean as Go prints it). The digest is persisted (deduplicator tables)
// and must not change.
func (e *Event) Hash(fields []string, include bool) string {
	hb := hashBufs.Get().(*hashBuf)
	buf := hb.buf[:0]
	w := e.view()
	for _, f := range w.info().fields {
		p := w.at(f)
		if f.st == stExtra {
			x := *p.extra()
			if len(x) == 0 {
				continue
			}
			keys := hb.keys[:0]
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if matchesExtra(k, fields) != include {
					continue
				}
				buf = append(buf, "extra."...)
				buf = append(buf, k...)
				buf = append(buf, '=')
				buf = x[k].appendJSON(buf, false)
				buf = append(buf, '\n')
			}
			clear(keys)
			hb.keys = keys[:0]
			continue
		}
		if !p.has(f.st) || matchesAny(f.Name, fields) != include {
			continue
		}
		buf = append(buf, f.Name...)
		buf = append(buf, '=')
		switch f.st {
		case stString:
			buf = append(buf, *p.str()...)
		case stBytes:
			buf = append(buf, *p.raw()...)
		case stTime:
			buf = (*p.t()).UTC().AppendFormat(buf, time.RFC3339Nano)
		case stStrings:
			buf = appendHashStrings(buf, *p.strs())
		case stInt:
			buf = strconv.AppendInt(buf, **p.i(), 10)
		case stBool:
			buf = strconv.AppendBool(buf, **p.b())
		case stFloat:
			buf = appendHashFloat(buf, **p.f())
		case stInts: // as fmt prints a slice: [1 2 3]
			buf = append(buf, '[')
			for i, n := range *p.is() {
				if i > 0 {
					buf = append(buf, ' ')
				}
				buf = strconv.AppendInt(buf, n, 10)
			}
			buf = append(buf, ']')
		default:
			v, _ := p.get(f.st)
			buf = fmt.Append(buf, v)
		}
		buf = append(buf, '\n')
	}
	sum := sha256.Sum256(buf)
	hb.buf = buf
	hashBufs.Put(hb)
	return hex.EncodeToString(sum[:])
}

// hashBuf is Hash's scratch space, reused across calls.
type hashBuf struct {
	buf  []byte
	keys []string
}

var hashBufs = sync.Pool{New: func() any { return &hashBuf{buf: make([]byte, 0, 2048)} }}

func matchesAny(name string, fields []string) bool {
	for _, f := range fields {
		if f == name {
			return true
		}
		if n := len(f); n > 2 && f[n-2:] == ".*" && len(name) > n-1 && name[:n-1] == f[:n-1] {
			return true
		}
	}
	return false
}

// matchesExtra is matchesAny("extra."+key, fields) without building the
// name.
func matchesExtra(key string, fields []string) bool {
	const pre = "extra."
	for _, f := range fields {
		if len(f) == len(pre)+len(key) && f[:len(pre)] == pre && f[len(pre):] == key {
			return true
		}
		n := len(f)
		if n <= 2 || f[n-2:] != ".*" || len(pre)+len(key) <= n-1 {
			continue
		}
		// Does "extra."+key start with f[:n-1]?
		p := f[:n-1]
		if len(p) <= len(pre) {
			if pre[:len(p)] == p {
				return true
			}
			continue
		}
		if p[:len(pre)] == pre && key[:len(p)-len(pre)] == p[len(pre):] {
			return true
		}
	}
	return false
}

// appendHashStrings appends a multi-valued field as json.Marshal writes
// its sorted values (a multi-valued field is a set).
func appendHashStrings(dst []byte, s []string) []byte {
	plain := true
	for _, v := range s {
		if !jsonPlain(v) {
			plain = false
			break
		}
	}
	if !plain {
		c := slices.Clone(s)
		slices.Sort(c)
		b, _ := json.Marshal(c)
		return append(dst, b...)
	}
	if !slices.IsSorted(s) {
		s = slices.Clone(s)
		slices.Sort(s)
	}
	dst = append(dst, '[')
	for i, v := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, v...)
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendHashFloat appends f as fmt's %v prints it: strconv's shortest %g,
// and "+Inf" for positive infinity.
func appendHashFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 1) {
		return append(dst, "+Inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// jsonPlain reports whether encoding/json writes s as it is between quotes:
// printable ASCII other than the characters it escapes.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// EventTime returns the time an event happened: time.source, or
// time.observation where the source gave no time.
func (e *Event) EventTime() (time.Time, bool) {
	switch {
	case e.Time.Source != nil:
		return *e.Time.Source, true
	case e.Time.Observation != nil:
		return *e.Time.Observation, true
	}
	return time.Time{}, false
}
