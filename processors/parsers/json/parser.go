// Package json parses reports that hold IntelMQ events in IntelMQ's flat
// JSON form, as IntelMQ's JSON parser does: one event per report, one per
// line (JSON lines), or a JSON list of events. It registers itself as
// "json" and as IntelMQ's intelmq.bots.parsers.json.parser, with IntelMQ's
// parameters (see FromParams).
package json

import (
	"context"
	"errors"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/pyjson"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
	"github.com/intelstream/intelstream/topology"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "json"
	IntelMQModule = "intelmq.bots.parsers.json.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
	parsers.AddExamples(Name, topology.Example{
		Name:   "one event per line",
		Params: map[string]any{"splitlines": true},
		Raw:    `{"source.ip": "192.0.2.1", "classification.type": "scanner"}` + "\n" + `{"source.ip": "192.0.2.2", "classification.type": "spam"}` + "\n",
		Output: []map[string]any{{"source.ip": "192.0.2.1", "classification.type": "scanner"}, {"source.ip": "192.0.2.2", "classification.type": "spam"}},
	})
}

// Config configures a Parser.
type Config struct {
	// SplitLines reads one event per line (JSON lines); otherwise the
	// whole report is one event.
	SplitLines bool
	// MultipleEvents reads the report as a JSON list of events.
	MultipleEvents bool
}

// Parser is the JSON parser. It is safe for concurrent use.
type Parser struct {
	c Config
}

// New returns a parser configured by c.
func New(c Config) (*Parser, error) {
	if c.SplitLines && c.MultipleEvents {
		return nil, fmt.Errorf("%w: splitlines and multiple_events exclude each other: a report is either JSON lines or one JSON list", parsers.ErrParameter)
	}
	return &Parser{c: c}, nil
}

// FromParams makes a parser from IntelMQ's parameters: splitlines (one
// event per line) and multiple_events (the report is a JSON list of
// events).
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	c := Config{
		SplitLines:     ps.Bool("splitlines", false),
		MultipleEvents: ps.Bool("multiple_events", false),
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return New(c)
}

// checkEvery is how many lines go by between looks at the context.
const checkEvery = 1024

// Parse parses one report. Each event is the report's feed fields and
// time.observation overwritten by the fields the JSON gives; its raw is
// the JSON's raw field when it has one, otherwise the JSON text (for
// multiple_events, the element as Python writes it). A line or element
// that is no valid event goes to fail.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	switch {
	case p.c.SplitLines:
		n := 0
		for num, line := range splitLines(report.Raw) {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			ev, err := event(report, line)
			if err != nil {
				fail(parsers.Failure{Line: num, Raw: []byte(line), Err: err})
				continue
			}
			if err := emit(ev); err != nil {
				return err
			}
		}
		return nil
	case p.c.MultipleEvents:
		return p.parseList(ctx, report, emit, fail)
	}
	ev, err := event(report, string(report.Raw))
	if err != nil {
		fail(parsers.Failure{Raw: report.Raw, Err: err})
		return nil
	}
	return emit(ev)
}

func (p *Parser) parseList(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	d := pyjson.NewDecoder(string(report.Raw))
	if err := d.BeginArray(); err != nil {
		return fmt.Errorf("multiple_events: the report is no JSON list: %w", err)
	}
	var elems []string
	for {
		ok, err := d.NextElem()
		if err != nil {
			return fmt.Errorf("multiple_events: %w", err)
		}
		if !ok {
			break
		}
		elem, err := d.RawValue()
		if err != nil {
			return fmt.Errorf("multiple_events: %w", err)
		}
		elems = append(elems, elem)
	}
	if err := d.End(); err != nil {
		return fmt.Errorf("multiple_events: %w", err)
	}
	for i, elem := range elems {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw, err := parsers.AppendPyJSON(nil, elem, pyjson.Options{EnsureASCII: true})
		if err == nil {
			var ev *dho.Event
			if ev, err = event(report, string(raw)); err == nil {
				if err := emit(ev); err != nil {
					return err
				}
				continue
			}
		}
		fail(parsers.Failure{Raw: []byte(elem), Err: fmt.Errorf("element %d: %w", i+1, err)})
	}
	return nil
}

// errEmpty is the reason for an empty line or report.
var errEmpty = errors.New("no JSON object")

// event makes the event of one JSON object.
func event(report *dho.Report, doc string) (*dho.Event, error) {
	if pytext.Strip(doc) == "" {
		return nil, errEmpty
	}
	ev := dho.AcquireEvent()
	if err := ev.UnmarshalFlat(doc); err != nil {
		dho.ReleaseEvent(ev)
		return nil, err
	}
	// The JSON's fields overwrite the report's (IntelMQ's update).
	if ev.Feed.Accuracy == nil && report.Feed.Accuracy != nil {
		a := *report.Feed.Accuracy
		ev.Feed.Accuracy = &a
	}
	keep(&ev.Feed.Code, report.Feed.Code)
	keep(&ev.Feed.Documentation, report.Feed.Documentation)
	keep(&ev.Feed.Name, report.Feed.Name)
	keep(&ev.Feed.Provider, report.Feed.Provider)
	keep(&ev.Feed.URL, report.Feed.URL)
	if ev.RTIRID == nil && report.RTIRID != nil {
		id := *report.RTIRID
		ev.RTIRID = &id
	}
	if ev.Time.Observation == nil && report.Time.Observation != nil {
		t := *report.Time.Observation
		ev.Time.Observation = &t
	}
	if len(ev.Raw) == 0 {
		ev.Raw = []byte(doc)
	}
	return ev, nil
}

func keep(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
