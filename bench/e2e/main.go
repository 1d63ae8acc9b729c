// Command e2e is intelstream's end-to-end benchmark (make bench). It
// generates Shadowserver scan_http reports with the shared generator,
// then, on an embedded broker (kfake, in this process) and registry,
// measures side by side:
//
//   - the topology reports → shadowserver parser → taxonomy → deduplicator
//     → file output, run by 1, 2 and 4 worker processes on as many
//     partitions: events/s and the workers' peak RSS;
//   - the same records through the same hops written by hand on franz-go
//     (the transport ceiling), and the ratio of the two;
//   - each stage in-process (the repository's own Benchmark functions, one
//     core), and IntelMQ's figure as a reference row.
//
// It prints one table and writes results.json and results.png.
//
//	go run ./bench/e2e                                  # from the repository root
//	go run ./bench/e2e -rows 20000 -workers 1,2 -stages=false
//
// The generator is INTELSTREAM_BENCH_GEN, -gen, or
// ../shared/bench/gen_shadowserver.py relative to the repository.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// EnvGenerator names the Shadowserver generator script.
const EnvGenerator = "INTELSTREAM_BENCH_GEN"

// IntelMQ's throughput for Shadowserver parser → taxonomy through its Redis
// pipeline on a machine of this kind: a reference, not measured here.
const intelMQEventsPerS = 1436

// Targets of the end-to-end figure.
const (
	targetEventsPerS = 150_000
	targetRatio      = 0.8
)

// errSkip means the benchmark cannot run here (no generator).
var errSkip = errors.New("skipped")

// config is what one run measures.
type config struct {
	Rows       int           `json:"rows"`
	ReportRows int           `json:"report_rows"`
	Workers    []int         `json:"workers"`
	Generator  string        `json:"-"`
	Out        string        `json:"-"`
	Stages     bool          `json:"-"`
	Go         string        `json:"-"`
	BenchTime  string        `json:"-"`
	Timeout    time.Duration `json:"-"`
	CPUProfile string        `json:"-"`
	PerNode    bool          `json:"per_node"`
	Fused      bool          `json:"fused"`
}

// results is what results.json holds.
type results struct {
	Date       string        `json:"date"`
	Conditions conditions    `json:"conditions"`
	Config     config        `json:"config"`
	Chains     []chainResult `json:"chains"`
	Ratios     []ratio       `json:"ratios"`
	PerNode    *chainResult  `json:"per_node,omitempty"`
	Stages     []stageResult `json:"stages"`
	IntelMQ    float64       `json:"intelmq_reference_events_per_s"`
	// EventAvroBytes is the mean Avro body of an event (uncompressed);
	// ReportBytes the mean report.
	EventAvroBytes float64 `json:"event_avro_bytes"`
	ReportBytes    float64 `json:"report_bytes"`
	Target         float64 `json:"target_events_per_s"`
}

// conditions record the machine's state: the figures mean little without.
type conditions struct {
	CPUs       int    `json:"cpus"`
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	LoadBefore string `json:"loadavg_before"`
	LoadAfter  string `json:"loadavg_after"`
	Broker     string `json:"broker"`
}

// ratio is the topology's share of the hand-written chain's throughput.
type ratio struct {
	Workers int     `json:"workers"`
	Ratio   float64 `json:"ratio"`
}

func main() {
	if workerMain() {
		return
	}
	var c config
	var workers string
	timeout := 5 * time.Minute
	flag.IntVar(&c.Rows, "rows", 100_000, "scan_http rows to generate")
	flag.IntVar(&c.ReportRows, "report-rows", 1000, "rows per report (the CSV is cut into reports of this size)")
	flag.StringVar(&workers, "workers", "1,2,4", "worker processes (and partitions) to measure, comma-separated")
	flag.StringVar(&c.Generator, "gen", defaultGenerator(), "gen_shadowserver.py ("+EnvGenerator+")")
	flag.StringVar(&c.Out, "out", "bench/results", "folder for results.json and results.png")
	flag.BoolVar(&c.Stages, "stages", true, "also run the per-stage benchmarks (go test, from the repository root)")
	flag.StringVar(&c.Go, "go", "go", "the go command for the stage benchmarks")
	flag.StringVar(&c.BenchTime, "benchtime", "1s", "benchtime of the stage benchmarks")
	flag.DurationVar(&timeout, "timeout", timeout, "limit for one end-to-end measurement")
	flag.BoolVar(&c.Fused, "fused", true, "also run the fused variant: parser, taxonomy and deduplicator in one node (what two fewer hops save)")
	flag.BoolVar(&c.PerNode, "per-node", true, "also run the topology with one process per node (one partition) and report each node's CPU, memory and state")
	flag.StringVar(&c.CPUProfile, "cpuprofile", "", "a folder for CPU profiles: broker.pprof (this process: kfake) and one per worker process")
	flag.Parse()
	c.Timeout = timeout
	for _, s := range strings.Split(workers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "e2e: -workers: %q is not a positive number\n", s)
			os.Exit(2)
		}
		c.Workers = append(c.Workers, n)
	}
	res, err := run(context.Background(), c, os.Stdout, os.Stderr)
	if errors.Is(err, errSkip) {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	if err := writeResults(c.Out, res); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stdout, "\nwritten: %s, %s\n", filepath.Join(c.Out, "results.json"), filepath.Join(c.Out, "results.png"))
}

// defaultGenerator is the environment's generator, else the shared one
// beside the repository (the current directory is the repository root
// under make).
func defaultGenerator() string {
	if g := os.Getenv(EnvGenerator); g != "" {
		return g
	}
	return filepath.Join("..", "shared", "bench", "gen_shadowserver.py")
}

// generate runs the generator into a temporary folder and returns the CSV.
func generate(ctx context.Context, script string, rows int, tmp string) ([]byte, error) {
	python, err := exec.LookPath("python3")
	if err == nil {
		_, err = os.Stat(script)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the Shadowserver generator cannot run (%v); set %s or -gen to gen_shadowserver.py", errSkip, err, EnvGenerator)
	}
	out := filepath.Join(tmp, "scan_http.csv")
	cmd := exec.CommandContext(ctx, python, script, "--feed", "scan_http", "--rows", strconv.Itoa(rows), "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gen_shadowserver.py: %v\n%s", err, b)
	}
	return os.ReadFile(out)
}

// run measures everything c asks for and prints the table to out.
func run(ctx context.Context, c config, out, log io.Writer) (*results, error) {
	tmp, err := os.MkdirTemp("", "intelstream-e2e-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	csv, err := generate(ctx, c.Generator, c.Rows, tmp)
	if err != nil {
		return nil, err
	}
	reports, rows := splitReports(csv, c.ReportRows)
	expected, avroBytes, err := expectedEvents(ctx, reports)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "e2e: %d rows in %d reports, %d distinct events expected, %.0f bytes of Avro per event\n", rows, len(reports), expected, avroBytes)
	res := &results{
		Date:           time.Now().UTC().Format(time.RFC3339),
		EventAvroBytes: avroBytes,
		ReportBytes:    float64(len(csv)) / float64(max(len(reports), 1)),
		Config:         c,
		IntelMQ:        intelMQEventsPerS,
		Target:         targetEventsPerS,
		Conditions: conditions{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
			LoadBefore: loadavg(), Broker: "kfake in the benchmark's process, workers in their own processes over loopback"},
	}
	if c.CPUProfile != "" {
		if err := os.MkdirAll(c.CPUProfile, 0o755); err != nil {
			return nil, err
		}
		f, err := os.Create(filepath.Join(c.CPUProfile, "broker.pprof"))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	for _, n := range c.Workers {
		var pair [2]chainResult
		kinds := []string{"topology", "hand"}
		if c.Fused {
			kinds = append(kinds, "fused")
		}
		for i, kind := range kinds {
			fmt.Fprintf(log, "e2e: %s, %d workers ...\n", kind, n)
			r, err := runChain(ctx, kind, n, reports, expected, tmp, c.Timeout, c.CPUProfile, false)
			if err != nil {
				return nil, err
			}
			if i < 2 {
				pair[i] = r
			}
			res.Chains = append(res.Chains, r)
		}
		res.Ratios = append(res.Ratios, ratio{Workers: n, Ratio: pair[0].EventsPerS / pair[1].EventsPerS})
	}
	if c.PerNode {
		fmt.Fprintln(log, "e2e: topology, one process per node ...")
		r, err := runChain(ctx, "topology", 1, reports, expected, tmp, c.Timeout, c.CPUProfile, true)
		if err != nil {
			return nil, err
		}
		res.PerNode = &r
	}
	if c.Stages {
		fmt.Fprintln(log, "e2e: stage benchmarks ...")
		res.Stages, err = runStages(ctx, c.Go, c.BenchTime)
		if err != nil {
			return nil, err
		}
	}
	res.Conditions.LoadAfter = loadavg()
	printTable(out, res)
	return res, nil
}

// loadavg is /proc/loadavg's first three figures.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// printTable prints the one table of make bench.
func printTable(w io.Writer, r *results) {
	fmt.Fprintf(w, "\nintelstream end to end: %d scan_http rows (%d rows per report, %.0f bytes of Avro per event), %d CPUs, load %s → %s, %s\n\n",
		r.Config.Rows, r.Config.ReportRows, r.EventAvroBytes, r.Conditions.CPUs, r.Conditions.LoadBefore, r.Conditions.LoadAfter, r.Conditions.GoVersion)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tworkers\tevents/s\tpeak RSS MiB (sum)\tCPU cores per 10k ev/s\tvs ceiling\tvs IntelMQ\t")
	for _, c := range r.Chains {
		name := "topology: parse→taxonomy→dedup→file"
		rel := ""
		switch c.Chain {
		case "hand":
			name = "franz-go by hand, same hops (ceiling)"
		case "fused":
			name = "fused: (parse+taxonomy+dedup)→file, 2 hops"
		default:
			for _, q := range r.Ratios {
				if q.Workers == c.Workers {
					rel = formatFloat(q.Ratio, 2)
				}
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%sx\t\n", name, c.Workers, formatFloat(c.EventsPerS, 0), formatFloat(c.PeakRSSMiB, 0),
			formatFloat(c.CoresPer10k, 2), rel, formatFloat(c.EventsPerS/r.IntelMQ, 0))
	}
	if p := r.PerNode; p != nil {
		fmt.Fprintf(tw, "topology, one process per node, 1 partition\t%d\t%s\t%s\t%s\t\t%sx\t\n", len(p.Nodes), formatFloat(p.EventsPerS, 0),
			formatFloat(p.PeakRSSMiB, 0), formatFloat(p.CoresPer10k, 2), formatFloat(p.EventsPerS/r.IntelMQ, 0))
		for _, n := range p.Nodes {
			fmt.Fprintf(tw, "  node %s (state on disk %s MiB)\t1\t\t%s\t%s\t\t\t\n", n.Node, formatFloat(float64(n.StateBytes)/(1<<20), 1),
				formatFloat(n.PeakRSSMiB, 0), formatFloat(n.CoresPer10k, 2))
		}
	}
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "stage, in-process, 1 core: %s\t1\t%s\t\t%s\t\t%sx\t\n", s.Name, formatFloat(s.EventsPerS, 0),
			formatFloat(10_000/s.EventsPerS, 3), formatFloat(s.EventsPerS/r.IntelMQ, 0))
	}
	fmt.Fprintf(tw, "IntelMQ parser→taxonomy over Redis (reference, not measured here)\t\t%s\t\t\t\t1x\t\n", formatFloat(r.IntelMQ, 0))
	tw.Flush()
	best := 0.0
	for _, c := range r.Chains {
		if c.Chain == "topology" {
			best = max(best, c.EventsPerS)
		}
	}
	fmt.Fprintf(w, "\ntarget end to end ≥ %s events/s: best %s (%s); target ratio ≥ %.1f of the ceiling:", formatFloat(targetEventsPerS, 0),
		formatFloat(best, 0), metOrMissed(best >= targetEventsPerS), targetRatio)
	for _, q := range r.Ratios {
		fmt.Fprintf(w, " %d workers %.2f (%s)", q.Workers, q.Ratio, metOrMissed(q.Ratio >= targetRatio))
	}
	fmt.Fprintln(w)
}

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func formatFloat(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// writeResults writes results.json and results.png into dir.
func writeResults(dir string, r *results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "results.png"))
	if err != nil {
		return err
	}
	if err := drawChart(f, chartTitle(r), chartBars(r), r.Target); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func chartTitle(r *results) string {
	return fmt.Sprintf("intelstream, %d Shadowserver scan_http rows, %d CPUs, %s", r.Config.Rows, r.Conditions.CPUs, r.Date[:10])
}

func chartBars(r *results) []bar {
	var bars []bar
	for _, c := range r.Chains {
		label := fmt.Sprintf("topology, %d workers", c.Workers)
		kind := "topology"
		switch c.Chain {
		case "hand":
			label, kind = fmt.Sprintf("franz-go by hand, %d workers", c.Workers), "hand"
		case "fused":
			label, kind = fmt.Sprintf("fused (2 hops), %d workers", c.Workers), "stage"
		}
		bars = append(bars, bar{Label: label, Value: c.EventsPerS, Kind: kind})
	}
	if p := r.PerNode; p != nil {
		bars = append(bars, bar{Label: "topology, 1 process per node", Value: p.EventsPerS, Kind: "topology"})
	}
	for _, s := range r.Stages {
		bars = append(bars, bar{Label: s.Name + " (1 core)", Value: s.EventsPerS, Kind: "stage"})
	}
	return append(bars, bar{Label: "IntelMQ parser→taxonomy (reference)", Value: r.IntelMQ, Kind: "reference"})
}
