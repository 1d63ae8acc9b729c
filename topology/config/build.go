package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// stream is a node's typed output: a topology.Stream of events or reports.
type stream struct {
	s    any
	typ  string // "event" or "report"
	node string
}

func typeName[T topology.Record]() string {
	var zero T
	if _, ok := any(zero).(dho.Report); ok {
		return "report"
	}
	return "event"
}

func wrap[T topology.Record](s topology.Stream[T]) *stream {
	return &stream{s: s, typ: typeName[T](), node: s.Node()}
}

// input returns in as a stream of T, or says why it is not one.
func input[T topology.Record](in *stream) (topology.Stream[T], error) {
	if in == nil {
		return topology.Stream[T]{}, fmt.Errorf("takes %ss but has no inputs", typeName[T]())
	}
	s, ok := in.s.(topology.Stream[T])
	if !ok {
		return s, fmt.Errorf("takes %ss, but its input %s gives %ss", typeName[T](), in.node, in.typ)
	}
	return s, nil
}

func source[T topology.Record](t *topology.Topology, n *Node, in *stream, c topology.Collector[T], opts []topology.NodeOption) (*stream, error) {
	if in != nil {
		return nil, fmt.Errorf("kind %s is a collector: it takes no inputs", n.Kind)
	}
	return wrap(topology.Source(t, n.Name, c, opts...)), nil
}

func mapOf[In, Out topology.Record](t *topology.Topology, n *Node, in *stream, p topology.Processor[In, Out], opts []topology.NodeOption) (*stream, error) {
	s, err := input[In](in)
	if err != nil {
		return nil, err
	}
	return wrap(topology.Map(t, n.Name, s, p, opts...)), nil
}

func batchOf[In, Out topology.Record](t *topology.Topology, n *Node, in *stream, p topology.BatchProcessor[In, Out], opts []topology.NodeOption) (*stream, error) {
	s, err := input[In](in)
	if err != nil {
		return nil, err
	}
	return wrap(topology.MapBatch(t, n.Name, s, p, opts...)), nil
}

func sink[T topology.Record](t *topology.Topology, n *Node, in *stream, o topology.Output[T], opts []topology.NodeOption) (*stream, error) {
	s, err := input[T](in)
	if err != nil {
		return nil, err
	}
	topology.Sink(t, n.Name, s, o, opts...)
	return nil, nil
}

func merge[T topology.Record](t *topology.Topology, name string, ins []*stream) (*stream, error) {
	streams := make([]topology.Stream[T], len(ins))
	for i, in := range ins {
		s, ok := in.s.(topology.Stream[T])
		if !ok {
			return nil, fmt.Errorf("inputs of different types: %s gives %ss, %s gives %ss", ins[0].node, ins[0].typ, in.node, in.typ)
		}
		streams[i] = s
	}
	return wrap(topology.Merge(t, name, streams)), nil
}

// attach adds node n, whose processor is impl, to t with the DSL call its
// type asks for.
func attach(t *topology.Topology, n *Node, impl any, in *stream) (*stream, error) {
	opts := n.Options.nodeOptions()
	switch p := impl.(type) {
	case topology.Collector[dho.Report]:
		return source(t, n, in, p, opts)
	case topology.Collector[dho.Event]:
		return source(t, n, in, p, opts)
	case topology.Processor[dho.Report, dho.Event]:
		return mapOf(t, n, in, p, opts)
	case topology.Processor[dho.Event, dho.Event]:
		return mapOf(t, n, in, p, opts)
	case topology.Processor[dho.Report, dho.Report]:
		return mapOf(t, n, in, p, opts)
	case topology.Processor[dho.Event, dho.Report]:
		return mapOf(t, n, in, p, opts)
	case topology.BatchProcessor[dho.Report, dho.Event]:
		return batchOf(t, n, in, p, opts)
	case topology.BatchProcessor[dho.Event, dho.Event]:
		return batchOf(t, n, in, p, opts)
	case topology.BatchProcessor[dho.Report, dho.Report]:
		return batchOf(t, n, in, p, opts)
	case topology.BatchProcessor[dho.Event, dho.Report]:
		return batchOf(t, n, in, p, opts)
	case topology.Output[dho.Event]:
		return sink(t, n, in, p, opts)
	case topology.Output[dho.Report]:
		return sink(t, n, in, p, opts)
	}
	return nil, fmt.Errorf("kind %s made a %T, which is no collector, processor or output of DHO records", n.Kind, impl)
}

// order returns the nodes so that every node comes after its inputs (file
// order where free), or the nodes of a cycle.
func (f *File) order() ([]*Node, []string) {
	done := map[string]bool{}
	var out []*Node
	for len(out) < len(f.Nodes) {
		progress := false
		for _, n := range f.Nodes {
			if done[n.Name] {
				continue
			}
			ready := true
			for _, in := range n.Inputs {
				ready = ready && done[in]
			}
			if ready {
				done[n.Name] = true
				out = append(out, n)
				progress = true
			}
		}
		if !progress {
			var cycle []string
			for _, n := range f.Nodes {
				if !done[n.Name] {
					cycle = append(cycle, n.Name)
				}
			}
			return nil, cycle
		}
	}
	return out, nil
}

// build makes the topology: each node's processor from its factory, added
// in input order.
func (f *File) build(e *errs) (*topology.Topology, error) {
	nodes, cycle := f.order()
	if cycle != nil {
		n := f.node(cycle[0])
		e.add(n.Line, "", fmt.Errorf("nodes %s read each other's outputs in a cycle", strings.Join(cycle, ", ")))
		return nil, e.join()
	}
	t := topology.New(f.Name)
	streams := map[string]*stream{}
	for _, n := range nodes {
		params, err := n.validate(n.Params)
		if err != nil {
			f.paramErrors(e, n, err)
			continue
		}
		impl, err := n.reg.New(params)
		if err != nil {
			e.add(n.Line, n.Name, err)
			continue
		}
		var ins []*stream
		failedInput := false
		for _, name := range n.Inputs {
			s, ok := streams[name]
			if !ok {
				failedInput = true // reported at that node, or an output
				if in := f.node(name); in != nil && in.reg != nil && in.Spec.Kind == topology.KindOutput {
					e.add(n.inputsLine, n.Name, fmt.Errorf("input %s is an output: it has no stream to read", name))
				}
			}
			ins = append(ins, s)
		}
		if failedInput {
			continue
		}
		var in *stream
		switch len(ins) {
		case 0:
		case 1:
			in = ins[0]
		default:
			name := n.Name + "-merge"
			if f.node(name) != nil {
				e.add(n.Line, n.Name, fmt.Errorf("its inputs are merged by a node %s, but the file has a node of that name", name))
				continue
			}
			if ins[0].typ == "report" {
				in, err = merge[dho.Report](t, name, ins)
			} else {
				in, err = merge[dho.Event](t, name, ins)
			}
			if err != nil {
				e.add(n.Line, n.Name, err)
				continue
			}
		}
		out, err := attach(t, n, impl, in)
		if err != nil {
			line := n.Line
			if in != nil {
				line = n.inputsLine
			}
			e.add(line, n.Name, err)
			continue
		}
		if out != nil {
			streams[n.Name] = out
		}
	}
	if err := e.join(); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, &Error{File: e.file, Err: err}
	}
	return t, nil
}

// ErrNotFound says a node or parameter does not exist.
var ErrNotFound = errors.New("not found")
