// Package n6idea is the n6-to-IDEA topology of the tutorial
// docs/tutorials/n6-idea.md: CERT Polska's n6 stream over STOMP (one n6
// event per message, each acknowledged only once its report is in Kafka)
// → the n6-json parser (one DHO event per n6 event, addresses kept
// together) → the taxonomy expert → IDEA0 messages as JSON lines (a file
// or stdout, fsync before acknowledging). It registers itself as "n6-idea"
// for intelstream describe and intelstream run.
package n6idea

import (
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/stomp"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transformers"
	"github.com/intelstream/intelstream/transformers/idea"
	"github.com/intelstream/intelstream/transformers/n6"
)

// Name is the topology's name.
const Name = "n6-idea"

func init() {
	topology.Define(topology.Definition{
		Name: Name,
		Doc: "n6 STOMP stream → n6-json parser → taxonomy → IDEA0 JSON lines " +
			"(--set stomp.server=H --set stomp.exchange=/exchange/ORG/# ...; output=FILE, strict=true)",
		Build: Build,
	})
}

// Build makes the topology. Parameters: "stomp.NAME" goes to the STOMP
// collector (server, port, exchange, use_ssl, ssl_client_certificate,
// ssl_client_certificate_key, ssl_ca_certificate, username, password, ...,
// with n6's defaults), output (a file, "-" for stdout, the default) and
// strict ("true" dead-letters events that would lose a value in IDEA).
func Build(params map[string]string) (*topology.Topology, error) {
	st := map[string]any{}
	outParams := map[string]any{"path": "-"}
	for k, v := range params {
		switch {
		case strings.HasPrefix(k, "stomp."):
			st[strings.TrimPrefix(k, "stomp.")] = v
		case k == "output":
			outParams["path"] = v
		case k == "strict":
			outParams["strict"] = v
		default:
			return nil, fmt.Errorf("%s: unknown parameter %q (stomp.*, output, strict)", Name, k)
		}
	}
	sp, err := stomp.Spec.Validate(st)
	if err != nil {
		return nil, err
	}
	collector, err := stomp.New(sp)
	if err != nil {
		return nil, err
	}
	op, err := idea.OutputSpec.Validate(outParams)
	if err != nil {
		return nil, err
	}
	out, err := transformers.OpenFileOutput(idea.OutputSpec, op.String("path"), idea.AppendJSON, op.Bool("strict"))
	if err != nil {
		return nil, err
	}
	t := topology.New(Name)
	messages := topology.Source(t, "collect", topology.Collector[dho.Report](collector), topology.Produces(stomp.Spec.Produces...))
	events := topology.Map(t, "parse", messages,
		topology.Processor[dho.Report, dho.Event](transformers.ParserNode("n6", n6.DecodeDHO, false)),
		topology.Produces(n6.ParserSpec.Produces...))
	classified := topology.Map(t, "taxonomy", events, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	topology.Sink(t, "idea", classified, out, topology.Requires("classification.taxonomy", "time.source"))
	return t, nil
}
