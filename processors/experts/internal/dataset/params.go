package dataset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// FileParams are the parameters of an expert that reads one data file:
// its path (parameter "database", IntelMQ's name), how often the file is
// checked for changes, and max_age.
func FileParams(defaultPath, doc string) []topology.Param {
	return []topology.Param{
		{Name: "database", Type: topology.ParamString, Default: defaultPath, Doc: doc},
		{Name: "reload_interval", Type: topology.ParamDuration, Default: "60s", Doc: "How often the file is checked for changes."},
		freshness.MaxAgeParam,
	}
}

// OpenFile opens the data set of the file in the node's "database"
// parameter (see FileParams) with load; every error names that parameter.
func OpenFile[T any](node string, p topology.Params, load func(path string) (*T, time.Time, error)) (*Set[T], error) {
	perr := func(param string, err error) error { return &topology.ParamError{Node: node, Param: param, Err: err} }
	path := p.String("database")
	if path == "" {
		return nil, perr("database", errors.New("empty"))
	}
	every := p.Duration("reload_interval")
	if every <= 0 {
		return nil, perr("reload_interval", fmt.Errorf("must be positive, got %s", every))
	}
	set, err := Open(context.Background(),
		Options{Name: node, Files: []string{path}, CheckEvery: every, MaxAge: p.Duration("max_age")},
		func(context.Context) (*T, time.Time, error) { return load(path) })
	if err != nil {
		return nil, perr("database", err)
	}
	return set, nil
}
