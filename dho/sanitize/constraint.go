package sanitize

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// CheckLength applies a harmonization "length" limit: at most max
// characters. Like IntelMQ (len(str(value))) it counts Unicode code
// points, not bytes. max <= 0 means no limit.
func CheckLength(s string, max int) error {
	if max <= 0 || len(s) <= max {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > max {
		return invalid(s, "is too long: "+strconv.Itoa(n)+" characters, at most "+strconv.Itoa(max))
	}
	return nil
}

// CheckRegex applies a harmonization "regex": the value must contain a
// match (IntelMQ uses re.search, so unanchored patterns match anywhere).
// It compiles the pattern on every call; use a Constraint on hot paths.
func CheckRegex(s, pattern string) error {
	c, err := NewConstraint(0, pattern, "")
	if err != nil {
		return err
	}
	return c.Check(s)
}

// Constraint holds a field's "length", "regex" and "iregex" from the
// harmonization, compiled once. The patterns found in IntelMQ 3.3's
// harmonization are checked by hand-written matchers, without the regexp
// engine; others fall back to Go's regexp (RE2), whose syntax covers the
// ones used in practice.
type Constraint struct {
	// Length is the maximum number of characters, 0 for none.
	Length int
	// Pattern is the source of Regex (case-sensitive), "" for none.
	Pattern string
	// IPattern is the source of IRegex (case-insensitive), "" for none.
	IPattern string

	match  func(string) bool
	imatch func(string) bool
}

// NewConstraint compiles a constraint. regex and iregex use Python's
// syntax as far as Go's RE2 shares it; a pattern RE2 cannot compile is an
// error here, at start-up, rather than a surprise per value.
func NewConstraint(length int, regex, iregex string) (*Constraint, error) {
	c := &Constraint{Length: length, Pattern: regex, IPattern: iregex}
	var err error
	if regex != "" {
		if c.match, err = matcher(regex, false); err != nil {
			return nil, err
		}
	}
	if iregex != "" {
		if c.imatch, err = matcher(iregex, true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// MustConstraint is NewConstraint for patterns fixed in the program.
func MustConstraint(length int, regex, iregex string) *Constraint {
	c, err := NewConstraint(length, regex, iregex)
	if err != nil {
		panic(err)
	}
	return c
}

// Check applies the constraint to a sanitized value.
func (c *Constraint) Check(s string) error {
	if c == nil {
		return nil
	}
	if err := CheckLength(s, c.Length); err != nil {
		return err
	}
	if c.match != nil && !c.match(s) {
		return invalid(s, "does not match "+c.Pattern)
	}
	if c.imatch != nil && !c.imatch(s) {
		return invalid(s, "does not match "+c.IPattern+" (ignoring case)")
	}
	return nil
}

// matcher returns a fast matcher for the patterns of IntelMQ's
// harmonization, or a compiled regexp for any other.
func matcher(p string, fold bool) (func(string) bool, error) {
	if !fold {
		switch p {
		case `^[ -~]+$`: // printable ASCII, not empty
			return func(s string) bool {
				if s == "" {
					return false
				}
				for i := 0; i < len(s); i++ {
					if s[i] < ' ' || s[i] > '~' {
						return false
					}
				}
				return true
			}, nil
		case `^.*[^\.]$`: // one line, not ending in "."
			return func(s string) bool {
				if s == "" || s[len(s)-1] == '.' {
					return false
				}
				for i := 0; i < len(s)-1; i++ {
					if s[i] == '\n' {
						return false
					}
				}
				return true
			}, nil
		case `^[a-zA-Z0-9]{2}$`:
			return func(s string) bool { return len(s) == 2 && isAlnum(s[0]) && isAlnum(s[1]) }, nil
		}
	}
	src := p
	if fold {
		src = "(?i)" + p
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("sanitize: pattern %q: %w", p, err)
	}
	return memoize(re.MatchString), nil
}

// memoSize bounds the answers a memoized matcher keeps.
const memoSize = 4096

// memoize remembers a matcher's answers: field values repeat (a transport
// protocol is "tcp" or "udp" nearly always), while a large pattern such as
// IntelMQ's list of protocol names costs microseconds per match. The memo
// stops growing at memoSize entries; later values are matched each time.
func memoize(match func(string) bool) func(string) bool {
	var mu sync.RWMutex
	seen := make(map[string]bool, 64)
	return func(s string) bool {
		mu.RLock()
		ok, hit := seen[s]
		mu.RUnlock()
		if hit {
			return ok
		}
		ok = match(s)
		mu.Lock()
		if len(seen) < memoSize && len(s) <= 64 {
			seen[strings.Clone(s)] = ok
		}
		mu.Unlock()
		return ok
	}
}
