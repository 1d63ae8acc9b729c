// Package aggregate is the aggregate expert: it groups events by fields
// within event-time windows and emits one summary event per group and
// window, like IntelMQ's aggregate expert but with durable state (a table
// restored from its changelog, not a Redis hash that a crash can lose).
//
// The summary is the group's first event with time.source set to the
// earliest event time of the group, extra.time_end to the latest, and
// extra.count to the number of events (an input's extra.count counts as
// that many). Groups with fewer than threshold events are dropped when
// their window closes. Events whose windows have closed go to the node's
// "late" side output.
package aggregate

import (
	"context"
	"errors"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/windowed"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "aggregate"

// Spec is the node spec of the aggregate expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Groups events by fields within event-time windows and emits one summary event per group (extra.count, extra.time_end), durable across restarts.",
	IntelMQ: "intelmq.bots.experts.aggregate.expert",
	Params: append([]topology.Param{
		{Name: "fields", Type: topology.ParamString, Default: "classification.type, classification.identifier", Doc: "Comma-separated fields whose values make a group."},
		{Name: "threshold", Type: topology.ParamInt, Default: int64(10), Doc: "Groups with fewer events are dropped when their window closes."},
	}, windowed.Params("1 hour")...),
	Produces: []string{"extra.count", "extra.time_end", "time.source"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Expert is the aggregate expert.
type Expert struct{ windowed.Expert }

// New builds the expert from validated parameters.
func New(p topology.Params) (*Expert, error) {
	base, err := windowed.NewExpert(p)
	if err != nil {
		return nil, err
	}
	return &Expert{base}, nil
}

// Spec returns the node spec.
func (x *Expert) Spec() topology.Spec { return Spec }

// Process counts e in its group's windows.
func (x *Expert) Process(ctx context.Context, e *dho.Event, _ func(*dho.Event)) error {
	err := x.Engine.Add(ctx, e, windowed.Key(e, x.Fields), x.Now(), func(topology.Window, *windowed.Group) error { return nil })
	if errors.Is(err, windowed.ErrLate) {
		return nil
	}
	return err
}

// Tick emits the summaries of the windows that closed.
func (x *Expert) Tick(ctx context.Context, now time.Time, emit func(*dho.Event)) error {
	return x.Engine.Close(ctx, x.Now(), func(_ topology.Window, _ string, g windowed.Group) error {
		if g.Count < x.Threshold {
			return nil
		}
		e, err := g.Event()
		if err != nil {
			return err
		}
		first := g.FirstAt
		e.Time.Source = &first
		e.ID = "" // a new event
		for name, v := range map[string]any{"extra.count": g.Count, "extra.time_end": g.LastAt.UTC().Format(time.RFC3339Nano)} {
			if err := e.Set(name, v); err != nil {
				return err
			}
		}
		emit(e)
		return nil
	})
}
