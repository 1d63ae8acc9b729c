package topology

import (
	"errors"
	"fmt"
)

// TransientError marks a failure worth retrying (a timeout, a server
// answering 503): the runtime retries the record with backoff before it
// gives up and sends it to the dead-letter topic.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Transient wraps err as a TransientError.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &TransientError{Err: err}
}

// IsTransient reports whether err is (or wraps) a TransientError.
func IsTransient(err error) bool {
	var t *TransientError
	return errors.As(err, &t)
}

// PartialError is what an Output returns when some records of a batch
// failed and the others were delivered: the failed ones (by index in the
// batch) are retried or dead-lettered, the others are done.
type PartialError struct {
	Failed map[int]error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%d records of the batch failed", len(e.Failed))
}
