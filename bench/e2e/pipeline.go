package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/intelstream/intelstream/dho"
	outfile "github.com/intelstream/intelstream/outputs/file"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/shadowserver"
	"github.com/intelstream/intelstream/topology"
)

// The topology's and the hand-written chain's names; their topics and
// consumer groups are <name>.<node>.
const (
	topologyName = "e2e"
	handName     = "hand"
	fusedName    = "fused"
)

// consumingNodes are the nodes the workers run (the reports are produced
// by the benchmark itself, as a collector would).
var consumingNodes = []string{"parse", "taxonomy", "dedup", "output"}

// fusedNodes are the nodes of the fused variant: parser, taxonomy and
// deduplicator in one node ("work"), then the output.
var fusedNodes = []string{"work", "output"}

// chainShape says, per chain kind, its topic prefix, its consuming nodes
// and the node that holds the deduplicator's table.
func chainShape(kind string) (prefix string, nodes []string, dedupNode string) {
	switch kind {
	case "hand":
		return handName, consumingNodes, "dedup"
	case "fused":
		return fusedName, fusedNodes, "work"
	default:
		return topologyName, consumingNodes, "dedup"
	}
}

// fileName is the Shadowserver file name of every report: the parser takes
// the report type from it.
const fileName = "2024-05-01-scan_http-world-geo.csv"

// splitReports cuts a Shadowserver CSV into reports of at most rows data
// rows each, every one with the header line, as Shadowserver's API would
// deliver smaller files.
func splitReports(csv []byte, rows int) ([][]byte, int) {
	header, body, _ := bytes.Cut(csv, []byte("\n"))
	header = append(header, '\n')
	var out [][]byte
	total := 0
	for len(body) > 0 {
		end := 0
		n := 0
		for n < rows && end < len(body) {
			i := bytes.IndexByte(body[end:], '\n')
			if i < 0 {
				end = len(body)
			} else {
				end += i + 1
			}
			n++
		}
		chunk := append(append([]byte(nil), header...), body[:end]...)
		out = append(out, chunk)
		total += n
		body = body[end:]
	}
	return out, total
}

// newReport is the report a Shadowserver collector makes of one file.
func newReport(raw []byte) (*dho.Report, error) {
	r := &dho.Report{Raw: raw}
	for field, v := range map[string]any{
		"feed.name": "Shadowserver scan_http (benchmark)", "feed.provider": "Shadowserver",
		"extra.file_name": fileName, "time.observation": "2024-05-02T00:00:00+00:00",
	} {
		if err := r.Set(field, v); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// dedupParams are the deduplicator's parameters in both chains: IntelMQ's
// defaults (every field but raw, time.observation and the event id).
func dedupParams() (topology.Params, error) {
	return deduplicator.Spec.Validate(map[string]any{})
}

// countingOutput is the file output that also tells the benchmark how many
// events it has written and synced (a line "WROTE n" on stdout).
type countingOutput struct {
	*outfile.Output
	n atomic.Int64
}

func (c *countingOutput) Write(ctx context.Context, batch []*dho.Event) error {
	if err := c.Output.Write(ctx, batch); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "WROTE %d\n", c.n.Add(int64(len(batch))))
	return nil
}

// buildTopology is the measured topology: reports → shadowserver parser →
// taxonomy → deduplicator → file output (IntelMQ flat JSON lines, fsync per
// batch).
func buildTopology(outPath string) (*topology.Topology, error) {
	p, err := outfile.Spec.Validate(map[string]any{"path": outPath})
	if err != nil {
		return nil, err
	}
	file, err := outfile.New(p)
	if err != nil {
		return nil, err
	}
	parser, err := shadowserver.New(shadowserver.Config{})
	if err != nil {
		return nil, err
	}
	dp, err := dedupParams()
	if err != nil {
		return nil, err
	}
	dedup, err := deduplicator.New(dp)
	if err != nil {
		return nil, err
	}
	t := topology.New(topologyName)
	reports := topology.Source(t, "collect", topology.CollectorFunc[dho.Report](func(context.Context, func(*dho.Report) error) error { return nil }),
		topology.Produces("feed.name", "extra.file_name"))
	events := topology.Map(t, "parse", reports, topology.Processor[dho.Report, dho.Event](parsers.Node(parser)),
		topology.Produces("source.ip", "classification.type", "time.source"))
	classified := topology.Map(t, "taxonomy", events, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	unique := topology.Map(t, "dedup", classified, topology.Processor[dho.Event, dho.Event](dedup))
	topology.Sink(t, "output", unique, &countingOutput{Output: file}, topology.Requires("classification.taxonomy", "source.ip"))
	return t, nil
}

// fusedWork runs the parser, the taxonomy expert and the deduplicator on
// one report within one node: what a topology with fewer hops would do
// (it measures the cost of the two hops it saves). The deduplicator's
// table is the node's; its partitions are the reports', so this variant
// deduplicates per report partition, which is enough for a measurement
// and not a replacement for the keyed topology.
type fusedWork struct {
	parser *shadowserver.Parser
	tax    *taxonomy.Expert
	dedup  *deduplicator.Expert
}

func (f *fusedWork) Process(ctx context.Context, r *dho.Report, emit func(*dho.Event)) error {
	var failed error
	err := f.parser.Parse(ctx, r, func(e *dho.Event) error {
		e.EnsureID()
		return f.tax.Process(ctx, e, func(e *dho.Event) {
			if err := f.dedup.Process(ctx, e, emit); err != nil && failed == nil {
				failed = err
			}
		})
	}, func(fl parsers.Failure) { topology.Fail(ctx, fl.Raw, fl) })
	if err != nil {
		return err
	}
	return failed
}

// Recycle hands an encoded event back to the parser's pool, as the parser
// node does: the taxonomy expert and the deduplicator emit the parser's
// events themselves and keep no reference to them.
func (f *fusedWork) Recycle(e *dho.Event) { dho.ReleaseEvent(e) }

// Tables binds the deduplicator's table to the fused node.
func (f *fusedWork) Tables() []topology.TableRef { return f.dedup.Tables() }

// buildFused is the fused variant: reports → work (parse, taxonomy,
// deduplicate) → file output.
func buildFused(outPath string) (*topology.Topology, error) {
	p, err := outfile.Spec.Validate(map[string]any{"path": outPath})
	if err != nil {
		return nil, err
	}
	file, err := outfile.New(p)
	if err != nil {
		return nil, err
	}
	parser, err := shadowserver.New(shadowserver.Config{})
	if err != nil {
		return nil, err
	}
	dp, err := dedupParams()
	if err != nil {
		return nil, err
	}
	dedup, err := deduplicator.New(dp)
	if err != nil {
		return nil, err
	}
	t := topology.New(fusedName)
	reports := topology.Source(t, "collect", topology.CollectorFunc[dho.Report](func(context.Context, func(*dho.Report) error) error { return nil }),
		topology.Produces("feed.name", "extra.file_name"))
	events := topology.Map(t, "work", reports, topology.Processor[dho.Report, dho.Event](&fusedWork{parser: parser, tax: taxonomy.New(), dedup: dedup}),
		topology.Produces("source.ip", "classification.type", "classification.taxonomy", "time.source"))
	topology.Sink(t, "output", events, &countingOutput{Output: file}, topology.Requires("classification.taxonomy", "source.ip"))
	return t, nil
}

// expectedEvents parses the reports in-process with the same parser,
// taxonomy and deduplication hash, and returns how many events must reach
// the output and the mean size of an event's Avro body (what each hop
// carries per event, before the producer's compression).
func expectedEvents(ctx context.Context, reports [][]byte) (int, float64, error) {
	parser, err := shadowserver.New(shadowserver.Config{})
	if err != nil {
		return 0, 0, err
	}
	dp, err := dedupParams()
	if err != nil {
		return 0, 0, err
	}
	keys := append(dp.Strings("filter_keys"), "id")
	tax := taxonomy.New()
	seen := map[string]bool{}
	failed := 0
	var avroBytes, events int
	var buf []byte
	for _, raw := range reports {
		r, err := newReport(raw)
		if err != nil {
			return 0, 0, err
		}
		err = parser.Parse(ctx, r, func(e *dho.Event) error {
			if err := tax.Process(ctx, e, func(*dho.Event) {}); err != nil {
				return err
			}
			seen[e.Hash(keys, false)] = true
			e.EnsureID()
			buf = e.AppendAvro(buf[:0])
			avroBytes += len(buf)
			events++
			return nil
		}, func(parsers.Failure) { failed++ })
		if err != nil {
			return 0, 0, err
		}
	}
	if failed > 0 {
		return 0, 0, fmt.Errorf("the parser refused %d rows of the generated report", failed)
	}
	return len(seen), float64(avroBytes) / float64(max(events, 1)), nil
}

// dirSize is the bytes of the files under dir (0 when it does not exist).
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
