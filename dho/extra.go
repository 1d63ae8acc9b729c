package dho

import "fmt"

// Extra holds the named values that have no field of their own. Keys are the
// part of the flat name after "extra." and may contain dots; values keep
// their JSON kind.
type Extra map[string]Value

// Get returns the value of key.
func (x Extra) Get(key string) (Value, bool) {
	v, ok := x[key]
	return v, ok
}

// Keys returns the keys in sorted order.
func (x Extra) Keys() []string { return sortedKeys(x) }

// Clone returns a deep copy of x.
func (x Extra) Clone() Extra {
	if x == nil {
		return nil
	}
	out := make(Extra, len(x))
	for k, v := range x {
		out[k] = v.clone()
	}
	return out
}

// Equal reports whether x and y hold the same keys and values.
func (x Extra) Equal(y Extra) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		w, ok := y[k]
		if !ok || !v.Equal(w) {
			return false
		}
	}
	return true
}

// checkExtraKey applies IntelMQ's rule for extra names: lower case letters,
// digits and underscores, in non-empty dot-separated parts.
// IntelMQ refuses other names, so we do too, or IntelMQ bots downstream
// would fail on our events.
func checkExtraKey(key string) error {
	if key == "" {
		return fmt.Errorf("empty extra key")
	}
	prev := byte('.')
	for j := 0; j < len(key); j++ {
		c := key[j]
		switch {
		case c >= 'a' && c <= 'z', c == '_', c >= '0' && c <= '9':
		case c == '.':
			if prev == '.' {
				return fmt.Errorf("extra key %q has an empty part", key)
			}
		default:
			return fmt.Errorf("extra key %q holds %q: only a-z, 0-9, _ and . are allowed", key, c)
		}
		prev = c
	}
	if prev == '.' {
		return fmt.Errorf("extra key %q has an empty part", key)
	}
	return nil
}

// checkExtraValue refuses what JSON cannot hold (NaN, infinities) anywhere
// inside v.
func checkExtraValue(v Value) error {
	switch v.kind {
	case KindFloat:
		f, _ := v.Float()
		if f != f || f > maxFloat || f < -maxFloat {
			return fmt.Errorf("%v is not a finite number", f)
		}
	case KindList:
		for _, e := range v.items() {
			if err := checkExtraValue(e); err != nil {
				return err
			}
		}
	case KindObject:
		for _, e := range v.members() {
			if err := checkExtraValue(e); err != nil {
				return err
			}
		}
	}
	return nil
}

const maxFloat = 1.7976931348623157e308
