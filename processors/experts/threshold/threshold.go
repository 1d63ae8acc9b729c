// Package threshold is the threshold expert: it counts events per group
// (the values of some fields) in event-time windows and emits the event
// that makes a group's count reach the threshold, once per window. Below
// the threshold nothing is emitted. State is durable (tables restored from
// their changelogs); events whose windows have closed go to the node's
// "late" side output.
package threshold

import (
	"context"
	"errors"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/windowed"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "threshold"

// Spec is the node spec of the threshold expert.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindExpert,
	Doc:  "Emits an event when its group's count in a window reaches the threshold, once per window (extra.count, extra.window_start, extra.window_end).",
	Params: append([]topology.Param{
		{Name: "fields", Type: topology.ParamString, Required: true, Doc: "Comma-separated fields whose values make a group.", Example: "source.ip, classification.type"},
		{Name: "threshold", Type: topology.ParamInt, Required: true, Doc: "The count at which the group's event is emitted.", Example: 100},
	}, windowed.Params("1 hour")...),
	Produces: []string{"extra.count", "extra.window_start", "extra.window_end"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Expert is the threshold expert.
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

// Process counts e and emits it when its group reaches the threshold.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	var fire []topology.Window
	var counts []int64
	err := x.Engine.Add(ctx, e, windowed.Key(e, x.Fields), x.Now(), func(w topology.Window, g *windowed.Group) error {
		if !g.Fired && g.Count >= x.Threshold {
			g.Fired = true
			fire, counts = append(fire, w), append(counts, g.Count)
		}
		return nil
	})
	if errors.Is(err, windowed.ErrLate) {
		return nil
	}
	if err != nil {
		return err
	}
	for i, w := range fire {
		out := e
		if len(fire) > 1 {
			out = e.Clone()
			out.ID = ""
		}
		for name, v := range map[string]any{"extra.count": counts[i], "extra.window_start": w.Start.Format(time.RFC3339Nano), "extra.window_end": w.End.Format(time.RFC3339Nano)} {
			if err := out.Set(name, v); err != nil {
				return err
			}
		}
		emit(out)
	}
	return nil
}

// Tick forgets the windows that closed.
func (x *Expert) Tick(ctx context.Context, _ time.Time, _ func(*dho.Event)) error {
	return x.Engine.Close(ctx, x.Now(), func(topology.Window, string, windowed.Group) error { return nil })
}
