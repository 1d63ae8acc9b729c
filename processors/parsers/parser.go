package parsers

import (
	"context"
	"fmt"

	"github.com/intelstream/intelstream/dho"
)

// Parser turns a report into events.
//
// Parse calls emit for every event, in the order of the input, and fail for
// every line or element it cannot turn into events, then goes on with the
// next. An error from emit stops parsing and is returned. Parse returns an
// error of its own only when the report as a whole cannot be parsed (its
// type cannot be told, its raw data is not of the expected kind); the
// caller then sends the whole report to the error path.
//
// A Parser is safe for concurrent use by several goroutines: per-report
// state lives in Parse.
type Parser interface {
	Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(Failure)) error
}

// Failure is one line or element a parser could not turn into events.
type Failure struct {
	// Line is the 1-based number of the first input line of the failed
	// record, or 0 when the input has no lines (a JSON element, the whole
	// report).
	Line int
	// Raw is the data IntelMQ would send to its error queue for this
	// failure: for CSV the header line and the failed row, for line-based
	// feeds the line, for the whole report its raw data.
	Raw []byte
	// Err is the reason.
	Err error
}

// Error describes the failure with its position.
func (f Failure) Error() string {
	if f.Line > 0 {
		return fmt.Sprintf("line %d: %v", f.Line, f.Err)
	}
	return f.Err.Error()
}

// Unwrap returns the reason.
func (f Failure) Unwrap() error { return f.Err }
