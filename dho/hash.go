package dho

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Hash returns a SHA-256 hex digest of the event's fields: with include
// true only the named fields count (IntelMQ's "whitelist"), with include
// false every field but the named ones (its "blacklist"). Field names and
// values are hashed in name order, so equal events hash equal whatever
// order their fields were set in. A name ending in ".*" stands for every
// field under it (extra.* is every extra value).
func (e *Event) Hash(fields []string, include bool) string {
	h := sha256.New()
	var buf []byte
	e.Range(func(name string, v any) bool {
		if matchesAny(name, fields) != include {
			return true
		}
		buf = append(buf[:0], name...)
		buf = append(buf, '=')
		buf = appendHashValue(buf, v)
		buf = append(buf, '\n')
		h.Write(buf)
		return true
	})
	return hex.EncodeToString(h.Sum(nil))
}

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

func appendHashValue(dst []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(dst, x...)
	case []byte:
		return append(dst, x...)
	case time.Time:
		return x.UTC().AppendFormat(dst, time.RFC3339Nano)
	case []string:
		s := slices.Clone(x)
		slices.Sort(s) // a multi-valued field is a set
		b, _ := json.Marshal(s)
		return append(dst, b...)
	case Value:
		return x.appendJSON(dst, false)
	}
	return fmt.Append(dst, v)
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
