// Package topology declares typed graphs of nodes (collect → parse →
// expert → output) and runs them on a message broker: every edge a topic,
// every node a consumer group.
//
// A topology is a declaration, checked before anything runs:
//
//	t := topology.New("shadowserver")
//	reports := topology.Source(t, "collect", collector)      // Stream[dho.Report]
//	events := topology.Map(t, "parse", reports, parser)      // Stream[dho.Event]
//	enriched := topology.Map(t, "taxonomy", events, taxonomy)
//	topology.Sink(t, "file", enriched, output)
//	err := t.Validate()
//
// The element types are DHO records, so type errors between nodes are
// compile errors. Each node declares the DHO fields it requires and
// produces (through its Spec, or the Requires and Produces options);
// Validate refuses a graph in which a node requires a field that nothing
// upstream produces.
package topology

import (
	"context"
	"fmt"
	"regexp"

	"github.com/intelstream/intelstream/dho"
)

// Record is the type of what flows on a stream: a DHO event, a report, or a
// digest (the events grouped into one notification for one recipient).
type Record interface {
	dho.Event | dho.Report | dho.Digest
}

// Collector brings records in from outside (a feed, a mailbox, a queue).
// Run emits until ctx ends or the source is exhausted; emit blocks when the
// downstream is slow.
type Collector[T Record] interface {
	Run(ctx context.Context, emit func(*T) error) error
}

// Processor turns one input into zero, one or many outputs. An error sends
// the input to the node's dead-letter topic (after retries, if the error is
// Transient). The runtime reuses the input value for the next record once
// Process returned and its outputs are encoded: a processor that keeps an
// input (or emits it later) must copy it.
type Processor[In, Out Record] interface {
	Process(ctx context.Context, in *In, emit func(*Out)) error
}

// Recycler is implemented by processors that make their outputs from a
// pool (parser nodes take events from dho.AcquireEvent): the runtime encodes
// each output as Process emits it, and then hands it back with Recycle and
// keeps no reference to it. A Recycler's Process must emit only records it
// keeps no reference to itself, and is done with once emitted; never its
// input. Outputs of Tick, and of a chain made with Then, are not recycled.
type Recycler[Out Record] interface {
	Recycle(*Out)
}

// BatchProcessor processes a batch of inputs at once (e.g. to look them up
// in one query). An error fails every input of the batch.
type BatchProcessor[In, Out Record] interface {
	ProcessBatch(ctx context.Context, ins []*In, emit func(*Out)) error
}

// Output delivers a batch of records outside. It returns only when the
// destination confirmed them: then the batch's offsets are committed.
type Output[T Record] interface {
	Write(ctx context.Context, batch []*T) error
}

// ProcessorFunc adapts a function to Processor.
type ProcessorFunc[In, Out Record] func(ctx context.Context, in *In, emit func(*Out)) error

// Process calls f.
func (f ProcessorFunc[In, Out]) Process(ctx context.Context, in *In, emit func(*Out)) error {
	return f(ctx, in, emit)
}

// CollectorFunc adapts a function to Collector.
type CollectorFunc[T Record] func(ctx context.Context, emit func(*T) error) error

// Run calls f.
func (f CollectorFunc[T]) Run(ctx context.Context, emit func(*T) error) error { return f(ctx, emit) }

// OutputFunc adapts a function to Output.
type OutputFunc[T Record] func(ctx context.Context, batch []*T) error

// Write calls f.
func (f OutputFunc[T]) Write(ctx context.Context, batch []*T) error { return f(ctx, batch) }

// Specced is implemented by processors that carry their node spec; the
// topology takes the node's kind and fields from it.
type Specced interface {
	Spec() Spec
}

// Topology is a graph of nodes under construction or ready to run.
type Topology struct {
	name  string
	nodes []*node
	index map[string]*node
	errs  []error
}

// op is what a node does with its input.
type op int

const (
	opSource op = iota
	opMap
	opBatch
	opFilter
	opRoute
	opMerge
	opSink
)

var opNames = [...]string{"source", "map", "batch", "filter", "route", "merge", "sink"}

func (o op) String() string { return opNames[o] }

// node is one node of the graph.
type node struct {
	name     string
	op       op
	kind     Kind
	spec     *Spec
	inputs   []port
	outType  string // "event", "report" or "digest"; "" for sinks
	inType   string
	branches []string // route: the names of the outputs
	requires []string
	produces []string
	opts     nodeOptions
	impl     any // typed closures the runtime calls, see runtime.go
}

// port is one output of a node: port 0, or a route branch.
type port struct {
	n      *node
	branch int
}

// Stream is the typed output of a node, the input of others.
type Stream[T Record] struct {
	t *Topology
	p port
}

// Node returns the name of the node that produces the stream.
func (s Stream[T]) Node() string {
	if s.p.n == nil {
		return ""
	}
	return s.p.n.name
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// New starts a topology. The name prefixes its topics and consumer groups.
func New(name string) *Topology {
	t := &Topology{name: name, index: map[string]*node{}}
	if !nameRE.MatchString(name) {
		t.errs = append(t.errs, fmt.Errorf("topology name %q: use lower case letters, digits, - and _", name))
	}
	return t
}

// Name returns the topology's name.
func (t *Topology) Name() string { return t.name }

// Nodes returns the node names in the order they were declared.
func (t *Topology) Nodes() []string {
	out := make([]string, len(t.nodes))
	for i, n := range t.nodes {
		out[i] = n.name
	}
	return out
}

// batches tells nodes that take records in batches (outputs and batch
// processors): the Batch option applies to them.
func (n *node) batches() bool { return n.op == opSink || n.op == opBatch }

func (t *Topology) add(n *node, opts []NodeOption) *node {
	for _, o := range opts {
		o(&n.opts)
	}
	if !nameRE.MatchString(n.name) {
		t.errs = append(t.errs, fmt.Errorf("node name %q: use lower case letters, digits, - and _", n.name))
	}
	if _, dup := t.index[n.name]; dup {
		t.errs = append(t.errs, fmt.Errorf("two nodes are named %q", n.name))
	} else {
		t.index[n.name] = n
	}
	n.requires = append(n.requires, n.opts.requires...)
	n.produces = append(n.produces, n.opts.produces...)
	t.nodes = append(t.nodes, n)
	return n
}

// fromSpec takes kind and fields from a processor that carries its spec.
func (n *node) fromSpec(impl any, fallback Kind) {
	n.kind = fallback
	if s, ok := impl.(Specced); ok {
		spec := s.Spec()
		n.spec = &spec
		if spec.Kind != "" {
			n.kind = spec.Kind
		}
		n.requires = append(n.requires, spec.Requires...)
		n.produces = append(n.produces, spec.Produces...)
	}
}

func (t *Topology) input(name string, in port, owner *Topology) port {
	if owner != t {
		t.errs = append(t.errs, fmt.Errorf("node %q: its input stream belongs to another topology", name))
	}
	if in.n == nil {
		t.errs = append(t.errs, fmt.Errorf("node %q: its input stream is empty (not made by Source, Map ...)", name))
	}
	return in
}

func typeName[T Record]() string {
	var zero T
	switch any(zero).(type) {
	case dho.Report:
		return "report"
	case dho.Digest:
		return "digest"
	}
	return "event"
}

// Source adds a node that brings records in with a Collector.
func Source[T Record](t *Topology, name string, c Collector[T], opts ...NodeOption) Stream[T] {
	n := &node{name: name, op: opSource, outType: typeName[T](), impl: sourceImpl[T]{c}}
	n.fromSpec(c, KindCollector)
	t.add(n, opts)
	return Stream[T]{t: t, p: port{n: n}}
}

// Map adds a node that runs p on every record of in.
func Map[In, Out Record](t *Topology, name string, in Stream[In], p Processor[In, Out], opts ...NodeOption) Stream[Out] {
	n := &node{name: name, op: opMap, inType: typeName[In](), outType: typeName[Out](), impl: mapImpl[In, Out]{p: p}}
	n.fromSpec(p, defaultKind[In, Out]())
	n.inputs = []port{t.input(name, in.p, in.t)}
	t.add(n, opts)
	return Stream[Out]{t: t, p: port{n: n}}
}

// MapBatch adds a node that runs p on batches of records of in.
func MapBatch[In, Out Record](t *Topology, name string, in Stream[In], p BatchProcessor[In, Out], opts ...NodeOption) Stream[Out] {
	n := &node{name: name, op: opBatch, inType: typeName[In](), outType: typeName[Out](), impl: mapImpl[In, Out]{b: p}}
	n.fromSpec(p, defaultKind[In, Out]())
	n.inputs = []port{t.input(name, in.p, in.t)}
	t.add(n, opts)
	return Stream[Out]{t: t, p: port{n: n}}
}

func defaultKind[In, Out Record]() Kind {
	if typeName[In]() == "report" && typeName[Out]() == "event" {
		return KindParser
	}
	return KindExpert
}

// Filter adds a node that passes on the records of in for which keep is true.
func Filter[T Record](t *Topology, name string, in Stream[T], keep func(*T) bool, opts ...NodeOption) Stream[T] {
	p := ProcessorFunc[T, T](func(_ context.Context, r *T, emit func(*T)) error {
		if keep(r) {
			emit(r)
		}
		return nil
	})
	n := &node{name: name, op: opFilter, kind: KindExpert, inType: typeName[T](), outType: typeName[T](), impl: mapImpl[T, T]{p: p}}
	n.inputs = []port{t.input(name, in.p, in.t)}
	t.add(n, opts)
	return Stream[T]{t: t, p: port{n: n}}
}

// Route is one branch of Branch: a name and the predicate of its records.
type Route[T Record] struct {
	Name  string
	Match func(*T) bool
}

// Branch adds a node that sends each record of in to the first route whose
// predicate matches; records no route matches go to the last stream
// returned (named "default"). It returns one stream per route, then the
// default stream.
func Branch[T Record](t *Topology, name string, in Stream[T], routes []Route[T], opts ...NodeOption) []Stream[T] {
	n := &node{name: name, op: opRoute, kind: KindExpert, inType: typeName[T](), outType: typeName[T](), impl: routeImpl[T]{routes}}
	n.inputs = []port{t.input(name, in.p, in.t)}
	for _, r := range routes {
		if !nameRE.MatchString(r.Name) || r.Name == "default" {
			t.errs = append(t.errs, fmt.Errorf("node %q: route name %q: use lower case letters, digits, - and _ (not default)", name, r.Name))
		}
		n.branches = append(n.branches, r.Name)
	}
	n.branches = append(n.branches, "default")
	t.add(n, opts)
	out := make([]Stream[T], len(n.branches))
	for i := range n.branches {
		out[i] = Stream[T]{t: t, p: port{n: n, branch: i}}
	}
	return out
}

// Merge adds a node that reads several streams as one (fan-in).
func Merge[T Record](t *Topology, name string, ins []Stream[T], opts ...NodeOption) Stream[T] {
	n := &node{name: name, op: opMerge, kind: KindExpert, inType: typeName[T](), outType: typeName[T](), impl: mapImpl[T, T]{p: ProcessorFunc[T, T](func(_ context.Context, r *T, emit func(*T)) error {
		emit(r)
		return nil
	})}}
	if len(ins) < 2 {
		t.errs = append(t.errs, fmt.Errorf("node %q: Merge needs at least two streams", name))
	}
	for _, in := range ins {
		n.inputs = append(n.inputs, t.input(name, in.p, in.t))
	}
	t.add(n, opts)
	return Stream[T]{t: t, p: port{n: n}}
}

// Sink adds a node that delivers the records of in with an Output.
func Sink[T Record](t *Topology, name string, in Stream[T], o Output[T], opts ...NodeOption) {
	n := &node{name: name, op: opSink, inType: typeName[T](), impl: sinkImpl[T]{o}}
	n.fromSpec(o, KindOutput)
	n.inputs = []port{t.input(name, in.p, in.t)}
	t.add(n, opts)
}
