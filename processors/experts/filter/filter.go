// Package filter is the filter expert: it passes or drops events by one
// field's value and by the time of the event, as IntelMQ's filter expert
// does.
//
// The field filter compares filter_key's value with filter_value: equal
// text (numbers compare as their text, so port 80 equals "80"), or with
// filter_regex a regular expression search in the text. A multi-valued
// field matches when one of its values does. filter_action keep passes the
// matching events, drop the others.
//
// The time filter reads time.source: not_before drops older events,
// not_after newer ones. Each is absolute ("2015-09-12T06:22:11+00:00") or
// relative to now ("6 months": IntelMQ's units second, minute, hour, day,
// week, month of 30 days, year of 365 days). Events the time filter drops
// go nowhere. Events without time.source pass the time filter.
//
// # Paths
//
// IntelMQ sends events to named paths besides the default one. A node here
// has one output, so the path parameter picks which of IntelMQ's paths the
// node emits:
//
//	path             keep+match keep+no match drop+match drop+no match
//	_default         emitted    -             -          emitted
//	action_other     -          emitted       emitted    -
//	filter_match     emitted    -             emitted    -
//	filter_no_match  -          emitted       -          emitted
//
// Two filter nodes on the same stream, one with _default and one with
// action_other, split it in two as IntelMQ's paths do. Without a field
// filter (time only) every event that passes the time filter is emitted on
// _default.
//
// Differences from IntelMQ: a configuration with only some of filter_key,
// filter_value and filter_action is refused (IntelMQ logs and ignores the
// field filter); regular expressions are Go's (RE2).
package filter

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/timespec"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "filter"

// The paths of IntelMQ's filter expert.
const (
	PathDefault       = "_default"
	PathActionOther   = "action_other"
	PathFilterMatch   = "filter_match"
	PathFilterNoMatch = "filter_no_match"
)

// Spec is the node spec of the filter expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Passes or drops events by a field's value (equal or regular expression) and by time.source (not_before, not_after); path picks which of IntelMQ's paths the node emits.",
	IntelMQ: "intelmq.bots.experts.filter.expert",
	Params: []topology.Param{
		{Name: "filter_key", Type: topology.ParamString, Doc: "Field to compare.", Example: "classification.type"},
		{Name: "filter_value", Type: topology.ParamString, Doc: "Value to compare with (a regular expression with filter_regex).", Example: "scanner"},
		{Name: "filter_action", Type: topology.ParamString, Enum: []string{"keep", "drop"}, Doc: "keep: pass matching events; drop: pass the others."},
		{Name: "filter_regex", Type: topology.ParamBool, Default: false, Doc: "Whether filter_value is a regular expression (searched) rather than a value (compared)."},
		{Name: "not_before", Type: topology.ParamString, Doc: "Drop events whose time.source is before this time (absolute, or relative such as \"1 week\").", Example: "1 week"},
		{Name: "not_after", Type: topology.ParamString, Doc: "Drop events whose time.source is after this time (absolute, or relative such as \"6 months\").", Example: "2015-09-12T06:22:11+00:00"},
		{Name: "path", Type: topology.ParamString, Default: PathDefault, Enum: []string{PathDefault, PathActionOther, PathFilterMatch, PathFilterNoMatch},
			Doc: "Which IntelMQ path this node emits (see the package documentation)."},
	},
	Examples: []topology.Example{
		{Name: "keep one feed", Params: map[string]any{"filter_key": "feed.name", "filter_value": "Shadowserver", "filter_action": "keep"},
			Input: map[string]any{"feed.name": "Shadowserver", "source.ip": "192.0.2.1"}, Output: []map[string]any{{"feed.name": "Shadowserver"}}},
		{Name: "other feeds dropped", Params: map[string]any{"filter_key": "feed.name", "filter_value": "Shadowserver", "filter_action": "keep"},
			Input: map[string]any{"feed.name": "Other", "source.ip": "192.0.2.1"}, Output: []map[string]any{}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return FromParams(p) })
}

// Expert is the filter expert.
type Expert struct {
	key       string
	value     string
	re        *regexp.Regexp
	keep      bool // filter_action keep
	field     bool // a field filter is configured
	notBefore *timespec.Spec
	notAfter  *timespec.Spec
	path      string
	now       func() time.Time
}

// FromParams builds the expert from validated parameters.
func FromParams(p topology.Params) (*Expert, error) {
	perr := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	x := &Expert{key: p.String("filter_key"), value: p.String("filter_value"), path: p.String("path"), now: time.Now}
	action := p.String("filter_action")
	given := 0
	for _, s := range []string{x.key, action} {
		if s != "" {
			given++
		}
	}
	if p.Has("filter_value") {
		given++
	}
	switch given {
	case 0:
	case 3:
		x.field, x.keep = true, action == "keep"
		if err := fieldval.Check(x.key); err != nil {
			return nil, perr("filter_key", err)
		}
		if p.Bool("filter_regex") {
			re, err := regexp.Compile(x.value)
			if err != nil {
				return nil, perr("filter_value", fmt.Errorf("regular expression: %v", err))
			}
			x.re = re
		}
	default:
		return nil, perr("filter_key", errors.New("filter_key, filter_value and filter_action go together: give all three or none"))
	}
	for _, name := range []string{"not_before", "not_after"} {
		s := p.String(name)
		if s == "" {
			continue
		}
		spec, err := timespec.Parse(s)
		if err != nil {
			return nil, perr(name, err)
		}
		if name == "not_before" {
			x.notBefore = &spec
		} else {
			x.notAfter = &spec
		}
	}
	if !x.field && x.notBefore == nil && x.notAfter == nil {
		return nil, perr("filter_key", errors.New("nothing to filter: give filter_key, filter_value and filter_action, or not_before or not_after"))
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process emits e when it goes to the node's path.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	if x.Pass(e) {
		emit(e)
	}
	return nil
}

// Pass reports whether e goes to the node's path.
func (x *Expert) Pass(e *dho.Event) bool {
	if !x.inTime(e) {
		return false
	}
	if !x.field {
		return x.path == PathDefault
	}
	match := x.match(e)
	switch x.path {
	case PathDefault:
		return match == x.keep
	case PathActionOther:
		return match != x.keep
	case PathFilterMatch:
		return match
	}
	return !match
}

func (x *Expert) inTime(e *dho.Event) bool {
	t := e.Time.Source
	if t == nil || x.notBefore == nil && x.notAfter == nil {
		return true
	}
	now := x.now()
	if x.notAfter != nil && t.After(x.notAfter.At(now)) {
		return false
	}
	if x.notBefore != nil && t.Before(x.notBefore.At(now)) {
		return false
	}
	return true
}

func (x *Expert) match(e *dho.Event) bool {
	v, ok := e.Get(x.key)
	if !ok {
		return false
	}
	if x.re != nil {
		return fieldval.AnyText(v, x.re.MatchString)
	}
	return fieldval.AnyText(v, func(s string) bool { return s == x.value })
}
