package parsers

import (
	"context"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// Node runs a parser as a topology processor (a parser node): its events go
// on, and every line it cannot parse goes to the node's dead-letter topic
// with the reason (topology.Fail), as IntelMQ sends it to its error queue.
// A report that cannot be parsed at all fails as a whole. The node is a
// topology.Recycler: once the runtime encoded an event, it goes back to
// dho.ReleaseEvent, and NewEvent gives it out again.
func Node(p Parser) topology.Processor[dho.Report, dho.Event] { return node{p} }

type node struct{ p Parser }

func (n node) Process(ctx context.Context, r *dho.Report, emit func(*dho.Event)) error {
	return n.p.Parse(ctx, r,
		func(e *dho.Event) error { emit(e); return nil },
		func(f Failure) { topology.Fail(ctx, f.Raw, f) })
}

func (node) Recycle(e *dho.Event) { dho.ReleaseEvent(e) }

// RegisterNodes registers every parser of the registry as a topology node
// kind of the same name (and IntelMQ module), so that topologies and
// intelstream nodes find them. Call it once every parser is registered:
// processors/parsers/all does.
// examples are the parsers' built-in examples, by parser name.
var examples = map[string][]topology.Example{}

// AddExamples gives the parser registered as name built-in examples for its
// node kind (see topology.Example); parser packages call it from init,
// before RegisterNodes.
func AddExamples(name string, ex ...topology.Example) {
	registry.Lock()
	defer registry.Unlock()
	examples[name] = append(examples[name], ex...)
}

func RegisterNodes() {
	for _, info := range Registered() {
		name := info.Name
		spec := topology.Spec{
			Name:            name,
			Kind:            topology.KindParser,
			IntelMQ:         info.IntelMQModule,
			Doc:             "Parses reports into events (parameters as IntelMQ names them; see the parser's package documentation).",
			ParamsByFactory: true,
			Examples:        examples[name],
		}
		if _, taken := topology.Lookup(name); taken {
			continue
		}
		topology.Register(spec, func(p topology.Params) (any, error) {
			parser, err := New(name, map[string]any(p))
			if err != nil {
				return nil, err
			}
			return topology.Processor[dho.Report, dho.Event](Node(parser)), nil
		})
	}
}
