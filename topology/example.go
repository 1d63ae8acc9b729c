package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
)

// Example is a node kind's built-in example, shipped in its Spec: the
// parameters, an input, and the output the node must give for it. The
// examples document a kind by showing it at work, and RunExamples
// (`intelstream nodes test`, the control API's self-test) runs them, so
// that an operator can check a build or a deployment without any data.
type Example struct {
	// Name says what the example shows.
	Name string `json:"name"`
	// Params are the node's parameters (validated as a topology would).
	Params map[string]any `json:"params,omitempty"`
	// Input holds an event's fields (experts) or a report's (parsers,
	// with Raw).
	Input map[string]any `json:"input,omitempty"`
	// Raw is the raw data of the input report (parsers).
	Raw string `json:"raw,omitempty"`
	// Output are the events the node must emit, in order, each with the
	// fields compared (fields not listed are not checked); empty when the
	// node must emit nothing.
	Output []map[string]any `json:"output"`
}

// ExampleResult is the outcome of one example.
type ExampleResult struct {
	Kind    string `json:"kind"`
	Example string `json:"example"`
	// Err says what differed or failed; nil when the example passed.
	Err error `json:"-"`
	// Error is Err as text, for JSON.
	Error string `json:"error,omitempty"`
}

// Passed reports whether the example gave the output it names.
func (r ExampleResult) Passed() bool { return r.Err == nil }

// RunExamples runs the kind's examples: each builds the node from its
// parameters, passes its input through and compares what the node emits
// with the example's output. Examples run on processors of events and of
// reports into events (experts and parsers).
func (r *Registration) RunExamples(ctx context.Context) []ExampleResult {
	var out []ExampleResult
	for _, ex := range r.Spec.Examples {
		err := r.runExample(ctx, ex)
		res := ExampleResult{Kind: r.Spec.Name, Example: ex.Name, Err: err}
		if err != nil {
			res.Error = err.Error()
		}
		out = append(out, res)
	}
	return out
}

func (r *Registration) runExample(ctx context.Context, ex Example) (err error) {
	p, err := r.Spec.Validate(ex.Params)
	if err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	impl, err := r.New(p)
	if err != nil {
		return fmt.Errorf("building the node: %w", err)
	}
	if c, ok := impl.(io.Closer); ok {
		defer func() { err = errors.Join(err, c.Close()) }()
	}
	var got []*dho.Event
	emit := func(e *dho.Event) { got = append(got, e.Clone()) }
	switch proc := impl.(type) {
	case Processor[dho.Event, dho.Event]:
		in, err := exampleEvent(ex.Input)
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		if err := proc.Process(ctx, in, emit); err != nil {
			return fmt.Errorf("processing: %w", err)
		}
	case Processor[dho.Report, dho.Event]:
		in := &dho.Report{Raw: []byte(ex.Raw)}
		for _, k := range slices.Sorted(maps.Keys(ex.Input)) {
			if err := in.Set(k, ex.Input[k]); err != nil {
				return fmt.Errorf("input: %w", err)
			}
		}
		if err := proc.Process(ctx, in, emit); err != nil {
			return fmt.Errorf("processing: %w", err)
		}
	default:
		return fmt.Errorf("examples run on processors of events or reports, not on %T", impl)
	}
	if len(got) != len(ex.Output) {
		return fmt.Errorf("%d events out, the example says %d", len(got), len(ex.Output))
	}
	var diffs []string
	for i, want := range ex.Output {
		exp, err := exampleEvent(want)
		if err != nil {
			return fmt.Errorf("output %d: %w", i+1, err)
		}
		for _, f := range slices.Sorted(maps.Keys(want)) {
			g, gok := got[i].Get(f)
			w, _ := exp.Get(f)
			if want[f] == nil {
				if gok {
					diffs = append(diffs, fmt.Sprintf("event %d: %s is %v, the example says unset", i+1, f, g))
				}
				continue
			}
			if !gok || !reflect.DeepEqual(g, w) {
				diffs = append(diffs, fmt.Sprintf("event %d: %s is %v, the example says %v", i+1, f, g, w))
			}
		}
	}
	if len(diffs) > 0 {
		return errors.New(strings.Join(diffs, "; "))
	}
	return nil
}

// exampleEvent builds an event from field values (nil values are left
// unset: an output field that must be absent).
func exampleEvent(fields map[string]any) (*dho.Event, error) {
	e := &dho.Event{}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if fields[k] == nil {
			continue
		}
		if err := e.Set(k, fields[k]); err != nil {
			return nil, err
		}
	}
	return e, nil
}
