package idea

import (
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transformers"
)

// The node kinds of this package.
const (
	ParserName = "idea"
	OutputName = "idea-file"
)

// ParserSpec is the spec of the IDEA parser node: reports holding IDEA
// messages (a JSON array, one object, or JSON lines, as Warden and Mentat
// exchange them) become DHO events, one per message.
var ParserSpec = topology.Spec{
	Name:     ParserName,
	Kind:     topology.KindParser,
	Doc:      "Parses IDEA0 messages (JSON array, object or JSON lines) into DHO events; IDEA keys DHO lacks are kept in extra.idea.*, invalid messages go to the dead-letter topic.",
	Params:   transformers.ParserParams,
	Produces: []string{"classification.type", "classification.taxonomy", "time.observation"},
}

// OutputSpec is the spec of the IDEA file output node.
var OutputSpec = topology.Spec{
	Name:   OutputName,
	Kind:   topology.KindOutput,
	Doc:    "Appends events as IDEA0 messages, one JSON line each, to a file (or stdout), synced to disk before the batch is acknowledged.",
	Params: transformers.OutputParams,
}

func init() {
	transformers.RegisterNodes("IDEA", ParserSpec, OutputSpec, DecodeDHO, AppendJSON)
}
