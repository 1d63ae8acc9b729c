// Package ideaexport is the IDEA export topology: a bundled n6 report (a
// JSON array of n6 events, as n6's REST API returns it) → the n6 parser
// (one DHO event per n6 event) → the taxonomy expert → IDEA0 messages as
// JSON lines (a file or stdout), the form Warden and Mentat exchange. It
// registers itself as "idea-export" for intelstream describe and
// intelstream run.
package ideaexport

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transformers"
	"github.com/intelstream/intelstream/transformers/idea"
	"github.com/intelstream/intelstream/transformers/n6"
)

// Report is the bundled n6 report: ten events of several categories
// (deface, exposed and scam among them), made up by us with addresses from
// the documentation ranges.
//
//go:embed data/n6-events.json
var Report []byte

// Name is the topology's name.
const Name = "idea-export"

func init() {
	topology.Define(topology.Definition{
		Name:  Name,
		Doc:   "bundled n6 report → n6-json parser → taxonomy → IDEA0 JSON lines (--set output=FILE, --set strict=true)",
		Build: Build,
	})
}

// Build makes the topology. Parameters: output (a file, "-" for stdout, the
// default) and strict ("true" to dead-letter events that would lose a value
// in IDEA instead of writing them without it).
func Build(params map[string]string) (*topology.Topology, error) {
	outParams := map[string]any{"path": "-"}
	for k, v := range params {
		switch k {
		case "output":
			outParams["path"] = v
		case "strict":
			outParams["strict"] = v
		default:
			return nil, fmt.Errorf("%s: unknown parameter %q (output, strict)", Name, k)
		}
	}
	p, err := idea.OutputSpec.Validate(outParams)
	if err != nil {
		return nil, err
	}
	out, err := transformers.OpenFileOutput(idea.OutputSpec, p.String("path"), idea.AppendJSON, p.Bool("strict"))
	if err != nil {
		return nil, err
	}
	t := topology.New(Name)
	reports := topology.Source(t, "collect", Collector(), topology.Produces("feed.name", "feed.provider"))
	events := topology.Map(t, "parse", reports,
		topology.Processor[dho.Report, dho.Event](transformers.ParserNode("n6", n6.DecodeDHO, false)),
		topology.Produces(n6.ParserSpec.Produces...))
	classified := topology.Map(t, "taxonomy", events, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	topology.Sink(t, "idea", classified, out, topology.Requires("classification.taxonomy", "time.source"))
	return t, nil
}

// Collector emits the bundled report once.
func Collector() topology.Collector[dho.Report] {
	return topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		r := &dho.Report{Raw: Report}
		for field, v := range map[string]any{
			"feed.name": "n6 export sample", "feed.provider": "CERT Polska (sample)", "time.observation": time.Now(),
		} {
			if err := r.Set(field, v); err != nil {
				return err
			}
		}
		return emit(r)
	})
}
