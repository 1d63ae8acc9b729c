package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
)

// TestMain lets the test binary be a worker process too, as the benchmark
// binary is.
func TestMain(m *testing.M) {
	if workerMain() {
		return
	}
	os.Exit(m.Run())
}

// repoGenerator finds the generator as make bench does, from the
// repository root; it skips when it is absent, except under CI.
func repoGenerator(t *testing.T) string {
	t.Helper()
	gen := os.Getenv(EnvGenerator)
	if gen == "" {
		gen = filepath.Join("..", "..", "..", "shared", "bench", "gen_shadowserver.py")
	}
	if _, err := os.Stat(gen); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Shadowserver generator is missing under CI: %v", err)
		}
		t.Skipf("the Shadowserver generator is missing (%v); set %s", err, EnvGenerator)
	}
	return gen
}

// TestChains runs the chains on a small report and checks that every distinct event reached the output files.
func TestChains(t *testing.T) {
	gen := repoGenerator(t)
	ctx := context.Background()
	tmp := t.TempDir()
	csv, err := generate(ctx, gen, 3000, tmp)
	if err != nil {
		t.Fatal(err)
	}
	reports, rows := splitReports(csv, 400)
	if rows != 3000 || len(reports) != 8 {
		t.Fatalf("%d rows in %d reports, want 3000 in 8", rows, len(reports))
	}
	expected, avroBytes, err := expectedEvents(ctx, reports)
	if err != nil {
		t.Fatal(err)
	}
	if avroBytes < 300 {
		t.Fatalf("%.0f bytes of Avro per event: too small for a scan_http event with raw", avroBytes)
	}
	if expected < 2900 {
		t.Fatalf("only %d distinct events of 3000 rows", expected)
	}
	// Two workers only for the topology: the other chains share its code
	// paths for worker processes and partitions.
	for _, kind := range []string{"topology", "hand", "fused"} {
		counts := []int{1}
		if kind == "topology" {
			counts = []int{1, 2}
		}
		for _, n := range counts {
			r, err := runChain(ctx, kind, n, reports, expected, tmp, 2*time.Minute, "", false)
			if err != nil {
				t.Fatalf("%s %d: %v", kind, n, err)
			}
			if r.Events < int64(expected) || r.EventsPerS <= 0 || r.PeakRSSMiB <= 0 {
				t.Fatalf("%s %d: %+v", kind, n, r)
			}
			files, _ := filepath.Glob(filepath.Join(tmp, kind+"-"+itoa(n), "*", "events.jsonl"))
			if len(files) != n {
				t.Fatalf("%s %d: output files %v", kind, n, files)
			}
			distinct := map[string]bool{}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				sc := bufio.NewScanner(bytes.NewReader(data))
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					e, err := dho.ParseEvent(sc.Bytes())
					if err != nil {
						t.Fatalf("%s: %v", f, err)
					}
					if e.Classification.Taxonomy == "" {
						t.Fatalf("%s: an event without taxonomy: %s", f, sc.Bytes())
					}
					distinct[string(e.Raw)] = true
				}
			}
			if len(distinct) != expected {
				t.Fatalf("%s %d: %d distinct events in the files, want %d", kind, n, len(distinct), expected)
			}
		}
	}
}

func itoa(n int) string { return formatFloat(float64(n), 0) }

func TestGeneratorMissing(t *testing.T) {
	_, err := generate(context.Background(), filepath.Join(t.TempDir(), "absent.py"), 10, t.TempDir())
	if !errors.Is(err, errSkip) {
		t.Fatalf("err = %v, want errSkip", err)
	}
}

func TestParseBenchLine(t *testing.T) {
	out := []byte("goos: linux\nBenchmarkAvroEncode-2   \t 1000000\t       412.5 ns/op\t 250 B/op\nBenchmarkProcess \t 5000000\t 200 ns/op\t 4950000 events/s\nPASS\n")
	r, ok := parseBenchLine(out, "BenchmarkAvroEncode")
	if !ok || r.NsPerOp != 412.5 || math.Abs(r.EventsPerS-1e9/412.5) > 1 {
		t.Fatalf("encode: %+v %v", r, ok)
	}
	r, ok = parseBenchLine(out, "BenchmarkProcess")
	if !ok || r.EventsPerS != 4950000 {
		t.Fatalf("process: %+v %v", r, ok)
	}
	if _, ok := parseBenchLine(out, "BenchmarkAvroDecode"); ok {
		t.Fatal("found a benchmark that is not there")
	}
}

func TestChart(t *testing.T) {
	var buf bytes.Buffer
	bars := []bar{{"topology, 1 workers", 120000, "topology"}, {"hand", 150000, "hand"}, {"IntelMQ", 1436, "reference"}}
	if err := drawChart(&buf, "test", bars, 150000); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if h := img.Bounds().Dy(); h != 40+3*22+40 {
		t.Fatalf("height %d", h)
	}
	// The topology's bar is drawn in its colour at its row.
	c := img.At(330+5, 40+11)
	if r, g, b, _ := c.RGBA(); r>>8 != 0x2b || g>>8 != 0x6c || b>>8 != 0xb0 {
		t.Fatalf("bar colour %v", c)
	}
	if got := humanize(1436); got != "1.4k" {
		t.Fatalf("humanize(1436) = %s", got)
	}
}
