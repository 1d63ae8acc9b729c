package topology

import (
	"context"
	"fmt"
	"slices"

	"github.com/intelstream/intelstream/transport"
)

type divertKey struct{}

// diverter sends the current input record to a side output.
type diverter func(name string, reason error) error

// Divert sends the record being processed, as it came, to the node's side
// output name (topic "<topology>.<node>.<name>"), with the reason and its
// origin in the same headers as a dead letter. The processor must list
// name in its SideOutputs. It returns an error outside Process or for an
// undeclared side output.
func Divert(ctx context.Context, name string, reason error) error {
	d, ok := ctx.Value(divertKey{}).(diverter)
	if !ok {
		return fmt.Errorf("divert to %s: not inside a node's Process", name)
	}
	return d(name, reason)
}

func (t *Topology) sideTopic(n *node, name string) string { return t.name + "." + n.name + "." + name }

// withDiverter returns a context whose Divert sends *cur to side outputs.
func (rt *nodeRuntime) withDiverter(ctx context.Context, cur **transport.Record) context.Context {
	sides := rt.n.sideOutputs()
	return context.WithValue(ctx, divertKey{}, diverter(func(name string, reason error) error {
		if !slices.Contains(sides, name) {
			return fmt.Errorf("divert: node %s declares no side output %q", rt.n.name, name)
		}
		in := *cur
		if in == nil {
			return fmt.Errorf("divert to %s: no input record (Tick)", name)
		}
		rt.send(ctx, &transport.Record{Topic: rt.t.sideTopic(rt.n, name), Key: in.Key, Value: in.Value, Headers: rt.originHeaders(in, reason)})
		return nil
	}))
}

// processor returns what the node runs (its Processor, BatchProcessor,
// Collector or Output), for the optional interfaces it may implement.
func (n *node) processor() any {
	if impl, ok := n.impl.(interface{ processor() any }); ok {
		return impl.processor()
	}
	return nil
}

// tables returns the node's tables: its options' and its processor's.
func (n *node) tables() []TableRef {
	out := slices.Clone(n.opts.tables)
	if s, ok := n.processor().(Stateful); ok {
		out = append(out, s.Tables()...)
	}
	return out
}

// sideOutputs returns the names of the node's side outputs.
func (n *node) sideOutputs() []string {
	if s, ok := n.processor().(SideOutputs); ok {
		return s.SideOutputs()
	}
	return nil
}

// inputPartitions returns the partition count of the node's input topics
// (the first input's; Validate checks that they agree), def where the
// topology does not set it.
func (t *Topology) inputPartitions(n *node, def int32) int32 {
	for _, in := range n.inputs {
		if in.n.opts.partitions > 0 {
			return in.n.opts.partitions
		}
	}
	return def
}
