package sanitize

import (
	"errors"
	"strconv"
)

// ErrInvalid is matched (errors.Is) by every error this package returns,
// so that a caller can tell a refused value from a failure of its own.
var ErrInvalid = errors.New("invalid value")

// ValueError says why a value was refused. Its message quotes the value
// (shortened when very long, so that one bad line cannot flood a log) and
// gives the reason; it does not name a field, which the caller adds.
type ValueError struct {
	// Value is the value as given, in full.
	Value string
	// Reason completes the sentence "<value> ...", e.g. "is not an IP address".
	Reason string
}

// maxQuoted bounds how much of a value an error message repeats.
const maxQuoted = 200

func (e *ValueError) Error() string {
	return quote(e.Value) + " " + e.Reason
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValueError) Unwrap() error { return ErrInvalid }

// invalid builds the error for value v.
func invalid(v, reason string) error {
	return &ValueError{Value: v, Reason: reason}
}

// quote returns v as a Go quoted string, cut to maxQuoted bytes (on a rune
// boundary) with "..." appended when longer.
func quote(v string) string {
	if len(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	cut := maxQuoted
	for cut > 0 && !isRuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
