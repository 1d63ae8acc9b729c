package transformers

import (
	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// ParserParams are the parameters of a format's parser node.
var ParserParams = []topology.Param{
	{Name: "strict", Type: topology.ParamBool, Default: false,
		Doc: "Send a record that would lose a value in the conversion to the dead-letter topic (with the losses as reason) instead of emitting the event without it."},
}

// OutputParams are the parameters of a format's file output node.
var OutputParams = []topology.Param{
	{Name: "path", Type: topology.ParamString, Default: "-", Doc: "File to append JSON lines to; - for standard output."},
	{Name: "strict", Type: topology.ParamBool, Default: false,
		Doc: "Fail an event that would lose a value in the conversion (it goes to the dead-letter topic with the losses as reason) instead of writing it without."},
}

// RegisterNodes registers a format's parser node (reports of JSON records →
// DHO events, see ParserNode) and file output node (DHO events → JSON
// lines, see FileOutput) under the names of the two specs; the specs'
// Params should be ParserParams and OutputParams.
func RegisterNodes(format string, parser, output topology.Spec, decode Decoder, encode Encoder) {
	topology.Register(parser, func(p topology.Params) (any, error) {
		return topology.Processor[dho.Report, dho.Event](ParserNode(format, decode, p.Bool("strict"))), nil
	})
	topology.Register(output, func(p topology.Params) (any, error) {
		return OpenFileOutput(output, p.String("path"), encode, p.Bool("strict"))
	})
}
