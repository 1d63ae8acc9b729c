package topology

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/intelstream/intelstream/dho"
)

// ErrBadSamples is wrapped by DryRun's errors about the samples it was
// given.
var ErrBadSamples = errors.New("bad dry-run samples")

// DryRunResult is what a dry run found, node by node in declaration order.
type DryRunResult struct {
	// OK is true when no node failed a record and no node's input lacked
	// a field the node requires.
	OK    bool         `json:"ok"`
	Nodes []DryRunNode `json:"nodes"`
}

// DryRunNode is what one node did with the sample records.
type DryRunNode struct {
	Node string `json:"node"`
	Op   string `json:"op"`
	// In counts the records the node received.
	In int `json:"in"`
	// Output are the records the node emitted (flat DHO fields); a
	// source's are its samples.
	Output []any `json:"output"`
	// Routed counts a route node's records per branch.
	Routed map[string]int `json:"routed,omitempty"`
	// Missing lists the input records (1-based) that lacked fields the
	// node requires.
	Missing []MissingFields `json:"missing,omitempty"`
	// Errors are the processor's errors and failed parts (what would go
	// to the dead-letter topic).
	Errors []string `json:"errors,omitempty"`
	// Samples says where a source's records came from: "request" or
	// "examples of KIND"; empty when it had none.
	Samples string `json:"samples,omitempty"`
	// Note says what the dry run did not do (sinks are not written to).
	Note string `json:"note,omitempty"`
}

// MissingFields are the required fields one input record lacked.
type MissingFields struct {
	Record int      `json:"record"`
	Fields []string `json:"fields"`
}

// DryRun pushes sample records through the graph of the running topology
// in memory, without the broker: each processing node's current processor
// is called on what its inputs emitted, route nodes route, and sinks only
// check their input (nothing is written). samples holds each source's
// records as flat DHO JSON; a source without samples gets the inputs of
// the built-in examples of the kinds reading from it. Every record is
// checked for the fields its node requires.
func (c *Controller) DryRun(ctx context.Context, samples map[string][]json.RawMessage) (DryRunResult, error) {
	t := c.Topology()
	if t == nil {
		return DryRunResult{}, ErrNotRunning
	}
	for name := range samples {
		n, ok := t.index[name]
		if !ok {
			return DryRunResult{}, fmt.Errorf("%w: samples for %q: %w", ErrBadSamples, name, ErrUnknownNode)
		}
		if n.op != opSource {
			return DryRunResult{}, fmt.Errorf("%w: samples for %q: not a source node", ErrBadSamples, name)
		}
	}
	res := DryRunResult{OK: true}
	outs := map[port][]any{} // what each node emitted, per port
	for _, n := range t.nodes {
		dn := DryRunNode{Node: n.name, Op: n.op.String(), Output: []any{}}
		var in []any
		for _, p := range n.inputs {
			in = append(in, outs[p]...)
		}
		dn.In = len(in)
		for i, r := range in {
			if miss := missingFields(r, n.requires); len(miss) > 0 {
				dn.Missing = append(dn.Missing, MissingFields{Record: i + 1, Fields: miss})
			}
		}
		c.implMu.Lock()
		impl := n.impl
		c.implMu.Unlock()
		switch n.op {
		case opSource:
			recs, from, err := t.dryRunSamples(n, samples[n.name])
			if err != nil {
				return DryRunResult{}, err
			}
			dn.Samples = from
			outs[port{n: n}] = recs
		case opRoute:
			routed, err := dryRoute(impl, in)
			if err != nil {
				return DryRunResult{}, fmt.Errorf("node %s: %w", n.name, err)
			}
			dn.Routed = map[string]int{}
			for i, recs := range routed {
				outs[port{n: n, branch: i}] = recs
				dn.Routed[n.branches[i]] = len(recs)
			}
		case opSink:
			dn.Note = "a sink: checked, not written to"
		default:
			run, ok := dryMaps[[2]string{n.inType, n.outType}]
			if !ok {
				return DryRunResult{}, fmt.Errorf("node %s: no dry run for %s into %s", n.name, n.inType, n.outType)
			}
			recs, errs := run(ctx, implProcessor(impl), in)
			dn.Errors = errs
			outs[port{n: n}] = recs
		}
		for b := range max(1, len(n.branches)) {
			dn.Output = append(dn.Output, outs[port{n: n, branch: b}]...)
		}
		if len(dn.Missing) > 0 || len(dn.Errors) > 0 {
			res.OK = false
		}
		res.Nodes = append(res.Nodes, dn)
	}
	return res, nil
}

// dryRunSamples decodes a source's samples, or takes the inputs of the
// examples of the kinds that read from it.
func (t *Topology) dryRunSamples(src *node, raw []json.RawMessage) ([]any, string, error) {
	if len(raw) > 0 {
		out := make([]any, 0, len(raw))
		for i, b := range raw {
			r, err := decodeSample(src.outType, b)
			if err != nil {
				return nil, "", fmt.Errorf("%w: %s record %d: %w", ErrBadSamples, src.name, i+1, err)
			}
			out = append(out, r)
		}
		return out, "request", nil
	}
	var out []any
	var kinds []string
	for _, n := range t.nodes {
		if !slices.ContainsFunc(n.inputs, func(p port) bool { return p.n == src }) {
			continue
		}
		reg, ok := nodeRegistration(n)
		if !ok || len(reg.Spec.Examples) == 0 {
			continue
		}
		for _, ex := range reg.Spec.Examples {
			r, err := exampleInput(src.outType, ex)
			if err != nil {
				return nil, "", fmt.Errorf("node %s: example %q of %s: %w", n.name, ex.Name, reg.Spec.Name, err)
			}
			out = append(out, r)
		}
		kinds = append(kinds, reg.Spec.Name)
	}
	if len(kinds) == 0 {
		return nil, "", nil
	}
	return out, "examples of " + fmt.Sprint(kinds), nil
}

// nodeRegistration returns the registered kind of a node made from one or
// whose processor carries its spec.
func nodeRegistration(n *node) (*Registration, bool) {
	if cf := n.opts.configured; cf != nil {
		return cf.reg, true
	}
	if n.spec != nil {
		return Lookup(n.spec.Name)
	}
	return nil, false
}

func decodeSample(typ string, b []byte) (any, error) {
	switch typ {
	case "event":
		e := &dho.Event{}
		return e, json.Unmarshal(b, e)
	case "report":
		r := &dho.Report{}
		return r, json.Unmarshal(b, r)
	case "digest":
		d := &dho.Digest{}
		return d, json.Unmarshal(b, d)
	}
	return nil, fmt.Errorf("records of type %q", typ)
}

// exampleInput is an example's input as a record of type typ.
func exampleInput(typ string, ex Example) (any, error) {
	switch typ {
	case "event":
		return exampleEvent(ex.Input)
	case "report":
		r := &dho.Report{Raw: []byte(ex.Raw)}
		for _, k := range slices.Sorted(maps.Keys(ex.Input)) {
			if err := r.Set(k, ex.Input[k]); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	return nil, fmt.Errorf("examples give no %s records", typ)
}

// missingFields returns the fields of requires that r lacks.
func missingFields(r any, requires []string) []string {
	h, ok := r.(interface{ Has(string) bool })
	if !ok {
		return nil
	}
	var miss []string
	for _, f := range requires {
		if !h.Has(f) && !slices.Contains(miss, f) {
			miss = append(miss, f)
		}
	}
	return miss
}

// dryMaps run a processing node's processor, by input and output type.
var dryMaps = map[[2]string]func(context.Context, any, []any) ([]any, []string){
	{"event", "event"}:   dryMap[dho.Event, dho.Event],
	{"report", "event"}:  dryMap[dho.Report, dho.Event],
	{"report", "report"}: dryMap[dho.Report, dho.Report],
	{"event", "report"}:  dryMap[dho.Event, dho.Report],
	{"event", "digest"}:  dryMap[dho.Event, dho.Digest],
	{"digest", "digest"}: dryMap[dho.Digest, dho.Digest],
	{"digest", "event"}:  dryMap[dho.Digest, dho.Event],
	{"digest", "report"}: dryMap[dho.Digest, dho.Report],
	{"report", "digest"}: dryMap[dho.Report, dho.Digest],
}

// dryMap calls proc on copies of ins and returns copies of what it
// emitted, and its errors (a panic is an error too).
func dryMap[In, Out Record](ctx context.Context, proc any, ins []any) (outs []any, errs []string) {
	emit := func(o *Out) { outs = append(outs, cloneRecord(o)) }
	var failed []string
	ctx = context.WithValue(ctx, failKey{}, failer(func(raw []byte, reason error) {
		failed = append(failed, fmt.Sprintf("failed part %q: %v", truncate(raw, 200), reason))
	}))
	call := func(i int, fn func() error) {
		defer func() {
			if p := recover(); p != nil {
				errs = append(errs, fmt.Sprintf("record %d: panic: %v", i, p))
			}
		}()
		failed = failed[:0]
		err := fn()
		for _, f := range failed {
			errs = append(errs, fmt.Sprintf("record %d: %s", i, f))
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("record %d: %v", i, err))
		}
	}
	typed := make([]*In, 0, len(ins))
	for _, r := range ins {
		if v, ok := cloneRecord(r.(*In)).(*In); ok {
			typed = append(typed, v)
		}
	}
	switch p := proc.(type) {
	case Processor[In, Out]:
		for i, in := range typed {
			call(i+1, func() error { return p.Process(ctx, in, emit) })
		}
	case BatchProcessor[In, Out]:
		call(1, func() error { return p.ProcessBatch(ctx, typed, emit) })
	default:
		errs = append(errs, fmt.Sprintf("%T is not a processor of %ss into %ss", proc, typeName[In](), typeName[Out]()))
	}
	if outs == nil {
		outs = []any{}
	}
	return outs, errs
}

// dryRoute routes ins by a route node's predicates: one list per branch,
// the default last.
func dryRoute(impl any, ins []any) ([][]any, error) {
	switch ri := impl.(type) {
	case routeImpl[dho.Event]:
		return routeAll(ri, ins), nil
	case routeImpl[dho.Report]:
		return routeAll(ri, ins), nil
	case routeImpl[dho.Digest]:
		return routeAll(ri, ins), nil
	}
	return nil, fmt.Errorf("no dry run for a %T route", impl)
}

func routeAll[T Record](ri routeImpl[T], ins []any) [][]any {
	out := make([][]any, len(ri.routes)+1)
	for _, r := range ins {
		v := r.(*T)
		i := len(ri.routes)
		for j, route := range ri.routes {
			if route.Match(v) {
				i = j
				break
			}
		}
		out[i] = append(out[i], v)
	}
	return out
}

// cloneRecord copies a record, so that a processor that changes its input
// or reuses its output does not change another node's records.
func cloneRecord(r any) any {
	switch v := r.(type) {
	case *dho.Event:
		return v.Clone()
	case *dho.Report:
		return v.Clone()
	case *dho.Digest:
		c := *v
		c.Events = slices.Clone(v.Events)
		return &c
	}
	return r
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
