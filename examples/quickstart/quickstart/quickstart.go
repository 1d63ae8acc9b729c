// Package quickstart is the quickstart topology: bundled Shadowserver-style
// reports → the schema-driven Shadowserver parser → the taxonomy expert →
// JSON lines on stdout (or a file). It registers itself as "quickstart"
// for intelstream describe and intelstream run.
package quickstart

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/intelstream/intelstream/dho"
	outfile "github.com/intelstream/intelstream/outputs/file"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/shadowserver"
	"github.com/intelstream/intelstream/topology"
)

// The sample reports were made with the project's synthetic Shadowserver
// report generator; the addresses in them are made up.
//
//go:embed data/*.csv
var samples embed.FS

// Name is the topology's name.
const Name = "quickstart"

func init() {
	topology.Define(topology.Definition{
		Name:  Name,
		Doc:   "bundled Shadowserver-style CSV reports → shadowserver parser → taxonomy → JSON lines (--set output=FILE, --set format=intelmq|dho)",
		Build: Build,
	})
}

// Build makes the quickstart topology. Parameters: output (a file, "-" for
// stdout, the default) and format ("intelmq", the default, or "dho").
func Build(params map[string]string) (*topology.Topology, error) {
	outParams := map[string]any{"path": "-", "format": "intelmq"}
	for k, v := range params {
		switch k {
		case "output":
			outParams["path"] = v
		case "format":
			outParams["format"] = v
		default:
			return nil, fmt.Errorf("quickstart: unknown parameter %q (output, format)", k)
		}
	}
	p, err := outfile.Spec.Validate(outParams)
	if err != nil {
		return nil, err
	}
	out, err := outfile.New(p)
	if err != nil {
		return nil, err
	}
	parser, err := shadowserver.New(shadowserver.Config{})
	if err != nil {
		return nil, err
	}
	t := topology.New(Name)
	reports := topology.Source(t, "collect", Samples(), topology.Produces("feed.name", "extra.file_name"))
	events := topology.Map(t, "parse", reports, topology.Processor[dho.Report, dho.Event](parsers.Node(parser)),
		topology.Produces("source.ip", "classification.type", "time.source"))
	classified := topology.Map(t, "taxonomy", events, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	topology.Sink(t, "output", classified, out, topology.Requires("classification.taxonomy", "source.ip"))
	return t, nil
}

// Samples is a collector of the bundled reports, one report per file.
func Samples() topology.Collector[dho.Report] {
	return topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		names, err := fs.Glob(samples, "data/*.csv")
		if err != nil {
			return err
		}
		sort.Strings(names)
		for _, name := range names {
			data, err := samples.ReadFile(name)
			if err != nil {
				return err
			}
			r := &dho.Report{Raw: data}
			for field, v := range map[string]any{
				"feed.name": "Shadowserver quickstart", "feed.provider": "Shadowserver",
				"extra.file_name": name[len("data/"):], "time.observation": time.Now(),
			} {
				if err := r.Set(field, v); err != nil {
					return err
				}
			}
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	})
}
