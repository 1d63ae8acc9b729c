package csv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// generate runs ../shared/bench/gen_events.py with args, or skips the
// benchmark when python3 or the script is missing.
func generate(b *testing.B, args ...string) []byte {
	b.Helper()
	dir, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			b.Fatal("no go.mod above the benchmark's folder")
		}
		dir = filepath.Dir(dir)
	}
	script := filepath.Join(dir, "..", "shared", "bench", "gen_events.py")
	python, err := exec.LookPath("python3")
	if err == nil {
		_, err = os.Stat(script)
	}
	if err != nil {
		b.Skipf("gen_events.py cannot run: %v", err)
	}
	out, err := exec.Command(python, append([]string{script}, args...)...).Output()
	if err != nil {
		b.Fatalf("gen_events.py: %v", err)
	}
	return out
}

// BenchmarkGenericCSV parses 100,000 rows of gen_events.py --csv with the
// generic CSV parser and reports events per second (run with -cpu 1 for
// one core). IntelMQ parses 5,400-5,800 events/s on the project's machines.
func BenchmarkGenericCSV(b *testing.B) {
	const rows = 100000
	raw := generate(b, "--rows", strconv.Itoa(rows), "--csv")
	p, err := New(Config{
		Columns:    []string{"time.source", "source.ip", "source.port", "source.asn", "source.geolocation.cc", "source.url", "classification.type", "malware.name"},
		SkipHeader: 1,
		TimeFormat: "utc_isoformat",
	})
	if err != nil {
		b.Fatal(err)
	}
	r := parsertest.Report(b, raw)
	parsertest.Bench(b, p, r, rows)
}
