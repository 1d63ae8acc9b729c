// Package enrich holds what the lookup experts share: the two sides of an
// event, IntelMQ's add-with-overwrite rule, and the classification of
// lookup errors into retryable and not.
package enrich

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// Side is one side of an event: its endpoint and its field prefix.
type Side struct {
	Prefix string // "source." or "destination."
	E      *dho.Endpoint
}

// Sides returns the source and the destination of e, in that order (as
// IntelMQ's experts visit them).
func Sides(e *dho.Event) [2]Side {
	return [2]Side{{"source.", &e.Source}, {"destination.", &e.Destination}}
}

// IP returns the side's first IP address, parsed, and whether it has one.
func (s Side) IP() (netip.Addr, bool) {
	if len(s.E.IP) == 0 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s.E.IP[0])
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// Add sets field name to v following IntelMQ's add(..., overwrite=...): a
// field already set is kept unless overwrite. It reports whether it set the
// field; an invalid value is an error naming the field.
func Add(e *dho.Event, name string, v any, overwrite bool) (bool, error) {
	if !overwrite && e.Has(name) {
		return false, nil
	}
	if err := e.Set(name, v); err != nil {
		return false, err
	}
	return true, nil
}

// LookupError classifies a lookup failure as IntelMQ's experts treat them:
// timeouts, refused or reset connections and temporary DNS failures are
// retried (topology.Transient); anything else is returned as it is.
func LookupError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return topology.Transient(err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return topology.Transient(err)
	}
	var de *net.DNSError
	if errors.As(err, &de) && (de.IsTimeout || de.IsTemporary) {
		return topology.Transient(err)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return topology.Transient(err)
	}
	return err
}

// Then emits e when err is nil and returns err: the end of every expert's
// Process (an event that failed is not emitted; the runtime retries or
// dead-letters it).
func Then(e *dho.Event, emit func(*dho.Event), err error) error {
	if err != nil {
		return err
	}
	emit(e)
	return nil
}
