// Package feed holds what every collector does alike: the feed parameters
// (IntelMQ's name, provider, code, documentation and accuracy) and the
// report they stamp with feed.* and time.observation.
package feed

import (
	"fmt"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// params maps a collector parameter to the report field it fills.
var params = []struct{ param, field string }{
	{"feed_name", "feed.name"},
	{"feed_provider", "feed.provider"},
	{"feed_code", "feed.code"},
	{"feed_documentation", "feed.documentation"},
	{"feed_accuracy", "feed.accuracy"},
}

// Params returns the feed parameters, named as the file collector names
// them, with IntelMQ's names (name, provider, ...). A fresh slice each call,
// so that specs may append to it.
func Params() []topology.Param {
	return []topology.Param{
		{Name: "feed_name", Type: topology.ParamString, IntelMQ: "name", Doc: "feed.name of the reports."},
		{Name: "feed_provider", Type: topology.ParamString, IntelMQ: "provider", Doc: "feed.provider of the reports."},
		{Name: "feed_code", Type: topology.ParamString, IntelMQ: "code", Doc: "feed.code of the reports."},
		{Name: "feed_documentation", Type: topology.ParamString, IntelMQ: "documentation", Doc: "feed.documentation of the reports."},
		{Name: "feed_accuracy", Type: topology.ParamFloat, IntelMQ: "accuracy", Doc: "feed.accuracy of the reports (0 to 100)."},
	}
}

// Produces lists the report fields a collector fills through Fields.
var Produces = []string{"raw", "time.observation", "feed.name", "feed.provider", "feed.code", "feed.documentation", "feed.accuracy"}

// Fields are the feed values of a collector's reports, checked once.
type Fields struct {
	set []fieldValue
}

type fieldValue struct {
	field string
	value any
}

// New takes the feed parameters from p and checks their values against
// the report fields, so that a bad accuracy fails when the node is built,
// not on every report. node names the collector in errors.
func New(node string, p topology.Params) (*Fields, error) {
	f := &Fields{}
	var r dho.Report
	for _, fp := range params {
		if !p.Has(fp.param) {
			continue
		}
		v := p[fp.param]
		if s, ok := v.(string); ok && s == "" {
			continue
		}
		if err := r.Set(fp.field, v); err != nil {
			return nil, fmt.Errorf("%s: %w", node, err)
		}
		f.set = append(f.set, fieldValue{fp.field, v})
	}
	return f, nil
}

// Report returns a new report of raw with the feed fields and
// time.observation set to now.
func (f *Fields) Report(raw []byte, now time.Time) (*dho.Report, error) {
	r := &dho.Report{Raw: raw}
	for _, fv := range f.set {
		if err := r.Set(fv.field, fv.value); err != nil {
			return nil, err
		}
	}
	if err := r.Set("time.observation", now); err != nil {
		return nil, err
	}
	return r, nil
}
