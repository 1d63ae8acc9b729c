// Package windowed counts events per group and event-time window in a
// node's tables: the engine of the aggregate and threshold experts.
//
// State, per partition: table "windows" holds one entry per open window
// and group, keyed "w/<end>/<start>/<group>" with the times as zero-padded
// Unix nanoseconds, so that a range over "w/" meets windows in the order
// they close; table "clock" holds the latest event time seen.
package windowed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/timespec"
	"github.com/intelstream/intelstream/topology"
)

// Group is what a window keeps for one group.
type Group struct {
	// First is the group's first event (Avro-encoded DHO).
	First []byte `json:"first"`
	// Count is the number of events (an event's extra.count counts as
	// that many, as IntelMQ's aggregate expert does).
	Count int64 `json:"count"`
	// FirstAt and LastAt are the earliest and latest event times.
	FirstAt time.Time `json:"first_at"`
	LastAt  time.Time `json:"last_at"`
	// Fired says the group already emitted in this window (threshold).
	Fired bool `json:"fired,omitempty"`
}

// Event decodes the group's first event.
func (g *Group) Event() (*dho.Event, error) {
	e := &dho.Event{}
	if err := e.UnmarshalAvro(g.First); err != nil {
		return nil, fmt.Errorf("stored event: %w", err)
	}
	return e, nil
}

// Engine counts events in windows.
type Engine struct {
	W       topology.Windows
	windows *topology.Table[string, Group]
	clock   *topology.Table[string, int64]
}

// ErrLate is the reason given for late events.
var ErrLate = errors.New("late: every window of the event's time is closed")

// LateOutput is the side output late events go to.
const LateOutput = "late"

// New returns an engine on windows w.
func New(w topology.Windows) (*Engine, error) {
	if err := w.Check(); err != nil {
		return nil, err
	}
	return &Engine{
		W:       w,
		windows: topology.NewTable("windows", topology.StringCodec{}, topology.JSONCodec[Group]{}),
		clock:   topology.NewTable("clock", topology.StringCodec{}, topology.JSONCodec[int64]{}),
	}, nil
}

// Tables returns the engine's tables, for the processor's Tables method.
func (en *Engine) Tables() []topology.TableRef { return []topology.TableRef{en.windows, en.clock} }

// Key returns the group key of e: a hash of the values of fields.
func Key(e *dho.Event, fields []string) string {
	return e.Hash(fields, true)
}

func windowKey(w topology.Window, group string) string {
	return fmt.Sprintf("w/%020d/%020d/%s", w.End.UnixNano(), w.Start.UnixNano(), group)
}

func parseWindowKey(k string) (topology.Window, string, error) {
	parts := strings.SplitN(k, "/", 4)
	if len(parts) != 4 || parts[0] != "w" {
		return topology.Window{}, "", fmt.Errorf("bad window key %q", k)
	}
	end, err1 := strconv.ParseInt(parts[1], 10, 64)
	start, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return topology.Window{}, "", fmt.Errorf("bad window key %q", k)
	}
	return topology.Window{Start: time.Unix(0, start).UTC(), End: time.Unix(0, end).UTC()}, parts[3], nil
}

func (en *Engine) latest(ctx context.Context) (time.Time, error) {
	ns, ok, err := en.clock.Get(ctx, "latest")
	if err != nil || !ok {
		return time.Time{}, err
	}
	return time.Unix(0, ns).UTC(), nil
}

// Add counts e in each open window of its event time under group and
// calls fn with each window's group after counting. An event without a
// time counts at now. When every window of its time is closed the event
// is late: Add diverts it to the late side output and returns ErrLate.
func (en *Engine) Add(ctx context.Context, e *dho.Event, group string, now time.Time, fn func(topology.Window, *Group) error) error {
	at, ok := e.EventTime()
	if !ok {
		at = now
	}
	latest, err := en.latest(ctx)
	if err != nil {
		return err
	}
	wm := en.W.Watermark(latest, now)
	n := int64(1)
	if v, ok := e.Extra["count"]; ok {
		if c, ok := v.Int(); ok && c > 0 {
			n = c
		}
	}
	counted := false
	for _, w := range en.W.Of(at) {
		if !w.End.After(wm) {
			continue // closed
		}
		counted = true
		k := windowKey(w, group)
		g, found, err := en.windows.Get(ctx, k)
		if err != nil {
			return err
		}
		if !found {
			g = Group{First: e.AppendAvro(nil), FirstAt: at, LastAt: at}
		}
		g.Count += n
		if at.Before(g.FirstAt) {
			g.FirstAt = at
		}
		if at.After(g.LastAt) {
			g.LastAt = at
		}
		if err := fn(w, &g); err != nil {
			return err
		}
		if err := en.windows.Set(ctx, k, g); err != nil {
			return err
		}
	}
	if !counted {
		if err := topology.Divert(ctx, LateOutput, fmt.Errorf("%w (event time %s, watermark %s)", ErrLate, at.Format(time.RFC3339), wm.Format(time.RFC3339))); err != nil {
			return err
		}
		return ErrLate
	}
	if at.After(latest) {
		return en.clock.Set(ctx, "latest", at.UnixNano())
	}
	return nil
}

// Close calls fn for every window of the partition that the watermark
// has passed, earliest first, and deletes it.
func (en *Engine) Close(ctx context.Context, now time.Time, fn func(topology.Window, string, Group) error) error {
	latest, err := en.latest(ctx)
	if err != nil {
		return err
	}
	wm := en.W.Watermark(latest, now)
	type closed struct {
		key string
		g   Group
	}
	var done []closed
	err = en.windows.Range(ctx, []byte("w/"), func(k string, g Group) (bool, error) {
		w, _, err := parseWindowKey(k)
		if err != nil {
			return false, err
		}
		if w.End.After(wm) {
			return false, nil // this and every later window are open
		}
		done = append(done, closed{k, g})
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, c := range done {
		w, group, _ := parseWindowKey(c.key)
		if err := fn(w, group, c.g); err != nil {
			return err
		}
		if err := en.windows.Delete(ctx, c.key); err != nil {
			return err
		}
	}
	return nil
}

// Params are the window parameters the windowed experts share.
func Params(defaultSpan string) []topology.Param {
	return []topology.Param{
		{Name: "timespan", Type: topology.ParamString, Default: defaultSpan, Doc: `Window size, as IntelMQ writes it ("1 hour", "30 minutes") or as a Go duration ("1h").`},
		{Name: "advance", Type: topology.ParamString, Default: "", Doc: "How far windows hop; empty for tumbling windows (advance = timespan)."},
		{Name: "lateness", Type: topology.ParamString, Default: "0s", Doc: "How long after a window's end its events are still counted; later ones go to the node's late side output."},
		{Name: "wall_clock", Type: topology.ParamBool, Default: true, Doc: "Close windows by the current time too, not only by newer event times (for live feeds; turn off to replay history)."},
	}
}

// FromParams reads the window parameters.
func FromParams(p topology.Params) (topology.Windows, error) {
	size, err := span(p.String("timespan"))
	if err != nil {
		return topology.Windows{}, &topology.ParamError{Param: "timespan", Err: err}
	}
	adv := size
	if a := p.String("advance"); a != "" {
		if adv, err = span(a); err != nil {
			return topology.Windows{}, &topology.ParamError{Param: "advance", Err: err}
		}
	}
	late, err := span(p.String("lateness"))
	if err != nil {
		return topology.Windows{}, &topology.ParamError{Param: "lateness", Err: err}
	}
	w := topology.Windows{Size: size, Advance: adv, Lateness: late, WallClock: p.Bool("wall_clock")}
	if err := w.Check(); err != nil {
		return w, &topology.ParamError{Param: "timespan", Err: err}
	}
	return w, nil
}

// span reads "1 hour", "2 days" (IntelMQ's relative times) or a Go
// duration.
func span(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if s == "0" {
		return 0, nil
	}
	d, err := timespec.ParseRelative(s)
	if err != nil {
		return 0, fmt.Errorf("%q is no time span (e.g. \"1 hour\" or \"90m\")", s)
	}
	return d, nil
}

// Fields splits a comma-separated field list and checks the names.
func Fields(param, list string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if _, ok := dho.LookupField(f); !ok && !strings.HasPrefix(f, "extra.") {
			return nil, &topology.ParamError{Param: param, Err: fmt.Errorf("%q is no DHO field", f)}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, &topology.ParamError{Param: param, Err: errors.New("no fields given")}
	}
	return out, nil
}

// Expert is what the windowed experts share: the group fields, the
// threshold, the engine and a clock. Embed it for Tables, SideOutputs and
// SetClock.
type Expert struct {
	Fields    []string
	Threshold int64
	Engine    *Engine
	Now       func() time.Time
}

// NewExpert reads the shared parameters: fields, threshold and the window
// parameters.
func NewExpert(p topology.Params) (Expert, error) {
	fields, err := Fields("fields", p.String("fields"))
	if err != nil {
		return Expert{}, err
	}
	w, err := FromParams(p)
	if err != nil {
		return Expert{}, err
	}
	en, err := New(w)
	if err != nil {
		return Expert{}, err
	}
	if p.Int("threshold") < 1 {
		return Expert{}, &topology.ParamError{Param: "threshold", Err: errors.New("must be at least 1")}
	}
	return Expert{Fields: fields, Threshold: p.Int("threshold"), Engine: en, Now: time.Now}, nil
}

// Tables returns the engine's tables.
func (x *Expert) Tables() []topology.TableRef { return x.Engine.Tables() }

// SideOutputs names the late side output.
func (x *Expert) SideOutputs() []string { return []string{LateOutput} }

// SetClock replaces the expert's clock (for tests).
func (x *Expert) SetClock(now func() time.Time) { x.Now = now }
