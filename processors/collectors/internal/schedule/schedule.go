// Package schedule runs a collector's fetch once or every interval, as
// IntelMQ's rate_limit does, so that one failed fetch never ends a
// scheduled collector.
package schedule

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// stopError marks an error that ends the schedule (the downstream refused
// a report, the node is stopping), as opposed to a failed fetch.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// Stop marks err as one that ends the schedule: Run returns it at once
// instead of logging it and waiting for the next fetch. Collectors wrap
// the errors of emit with it.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return &stopError{err}
}

// Run calls fetch, then, when interval > 0, again interval after each
// fetch ended, until ctx ends (then it returns nil). With interval 0 it
// returns what the only fetch returned. With an interval, a fetch's error
// is logged on log and the next fetch comes on schedule; only errors
// marked with Stop end the loop.
func Run(ctx context.Context, interval time.Duration, log *slog.Logger, fetch func(context.Context) error) error {
	for {
		err := fetch(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if interval <= 0 {
			var s *stopError
			if errors.As(err, &s) {
				return s.err
			}
			return err
		}
		if err != nil {
			var s *stopError
			if errors.As(err, &s) {
				return s.err
			}
			log.Error("fetch failed, next one on schedule", "err", err, "in", interval)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}
