// Package freshness is how experts that read a local database (a GeoIP
// file, a routing table dump, a Tor exit list, constituency lists) say how
// old their data is, and how a health check decides that it is too old.
//
// An expert implements Reporter; its max_age parameter (MaxAgeParam) sets
// the limit that Health enforces. The node health API calls Health: code
// outside processors/experts (which cannot import this internal package)
// asserts the same two methods as its own interface, e.g.
// interface{ Health(context.Context) error }, on the node's processor.
package freshness

import (
	"context"
	"fmt"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// Reporter is implemented by every expert that reads local data.
type Reporter interface {
	// DataAge returns when the loaded data was produced (a database's build
	// time, or the modification time of its file) and whether that is known
	// (false before anything is loaded).
	DataAge() (time.Time, bool)
	// Health fails when no data is loaded or the data is older than the
	// expert's max_age.
	Health(ctx context.Context) error
}

// MaxAgeParam is the max_age parameter every data-reading expert declares.
var MaxAgeParam = topology.Param{
	Name:    "max_age",
	Type:    topology.ParamDuration,
	Default: "0s",
	Doc:     "Health fails when the loaded data is older than this (0: no limit; e.g. 168h for a weekly database).",
	Example: "168h",
}

// StaleError says that data is older than allowed.
type StaleError struct {
	Name   string        // what data (node kind or file)
	Time   time.Time     // when the data was produced
	Age    time.Duration // how old it is
	MaxAge time.Duration // the limit
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s: data from %s is %s old, more than max_age %s",
		e.Name, e.Time.UTC().Format(time.RFC3339), e.Age.Round(time.Second), e.MaxAge)
}

// Check is Health's rule: an error when the data's time is unknown, or
// when maxAge > 0 and the data is older than maxAge at now.
func Check(name string, dataTime time.Time, known bool, maxAge time.Duration, now time.Time) error {
	if !known {
		return fmt.Errorf("%s: no data loaded", name)
	}
	if maxAge <= 0 {
		return nil
	}
	if age := now.Sub(dataTime); age > maxAge {
		return &StaleError{Name: name, Time: dataTime, Age: age, MaxAge: maxAge}
	}
	return nil
}

// Health checks a Reporter's data against maxAge now.
func Health(name string, r interface{ DataAge() (time.Time, bool) }, maxAge time.Duration) error {
	t, ok := r.DataAge()
	return Check(name, t, ok, maxAge, time.Now())
}
