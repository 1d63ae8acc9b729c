package n6

import (
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transformers"
)

// The node kinds of this package. The parser is not called "n6": that
// name belongs to the IntelMQ-compatible n6 STOMP parser of
// processors/parsers/n6, which keeps IntelMQ's one-event-per-address
// output for conformance; this one makes one event per n6 event.
const (
	ParserName = "n6-json"
	OutputName = "n6-file"
)

// ParserSpec is the spec of the n6 parser node: reports holding n6 events
// (the JSON array of n6's REST API, its JSON lines "sjson" form, or one
// object as its stream delivers it) become DHO events, one per n6 event.
var ParserSpec = topology.Spec{
	Name:     ParserName,
	Kind:     topology.KindParser,
	Doc:      "Parses n6 events (JSON array, object or JSON lines) into DHO events, one per n6 event with its addresses as source.ip values; attributes DHO lacks are kept in extra.n6.*.",
	Params:   transformers.ParserParams,
	Produces: []string{"classification.type", "classification.taxonomy", "time.source", "feed.code", "tlp"},
}

// OutputSpec is the spec of the n6 file output node.
var OutputSpec = topology.Spec{
	Name:   OutputName,
	Kind:   topology.KindOutput,
	Doc:    "Appends events as n6 events, one JSON line each, to a file (or stdout), synced to disk before the batch is acknowledged; IPv6 addresses are reported lost (n6 is IPv4-only).",
	Params: transformers.OutputParams,
}

func init() {
	transformers.RegisterNodes("n6", ParserSpec, OutputSpec, DecodeDHO, AppendJSON)
}
