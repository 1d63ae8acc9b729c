package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// stage is one in-process stage benchmark: an existing Benchmark function
// of the repository, run with go test on one core.
type stage struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Bench   string `json:"bench"`
}

// stages are the per-stage figures of the table.
var stages = []stage{
	{"shadowserver parser (scan_http)", "./processors/parsers/shadowserver", "BenchmarkShadowserverScanHTTP"},
	{"taxonomy expert", "./processors/experts/taxonomy", "BenchmarkProcess"},
	{"sieve expert (20 rules)", "./processors/experts/sieve", "BenchmarkProcess"},
	{"Avro encode (DHO event)", "./dho", "BenchmarkAvroEncode"},
	{"Avro decode (DHO event)", "./dho", "BenchmarkAvroDecode"},
}

// stageResult is one stage's figure.
type stageResult struct {
	stage
	EventsPerS float64 `json:"events_per_s"`
	NsPerOp    float64 `json:"ns_per_op"`
}

// runStages runs the stage benchmarks with goCmd from the repository root
// (one go test per package) and reads events/s, or 1e9/ns per op where the
// benchmark reports no events/s.
func runStages(ctx context.Context, goCmd, benchtime string) ([]stageResult, error) {
	byPkg := map[string][]stage{}
	var order []string
	for _, s := range stages {
		if _, ok := byPkg[s.Package]; !ok {
			order = append(order, s.Package)
		}
		byPkg[s.Package] = append(byPkg[s.Package], s)
	}
	found := map[stage]stageResult{}
	for _, pkg := range order {
		var names []string
		for _, s := range byPkg[pkg] {
			names = append(names, s.Bench)
		}
		args := []string{"test", "-run", "^$", "-cpu", "1", "-benchtime", benchtime,
			"-bench", "^(" + strings.Join(names, "|") + ")$", pkg}
		cmd := exec.CommandContext(ctx, goCmd, args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w\n%s", goCmd, strings.Join(args, " "), err, out)
		}
		for _, s := range byPkg[pkg] {
			r, ok := parseBenchLine(out, s.Bench)
			if !ok {
				return nil, fmt.Errorf("%s: no result for %s (skipped? output:\n%s)", pkg, s.Bench, out)
			}
			r.stage = s
			found[s] = r
		}
	}
	res := make([]stageResult, 0, len(stages))
	for _, s := range stages {
		res = append(res, found[s])
	}
	return res, nil
}

// parseBenchLine finds the result line of benchmark name in go test's
// output ("BenchmarkX  N  123 ns/op ... 4567 events/s").
func parseBenchLine(out []byte, name string) (stageResult, bool) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || (f[0] != name && !strings.HasPrefix(f[0], name+"-")) {
			continue
		}
		var r stageResult
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.NsPerOp = v
			case "events/s":
				r.EventsPerS = v
			}
		}
		if r.EventsPerS == 0 && r.NsPerOp > 0 {
			r.EventsPerS = 1e9 / r.NsPerOp
		}
		return r, r.EventsPerS > 0
	}
	return stageResult{}, false
}
