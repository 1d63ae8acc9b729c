package json

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// BenchmarkJSONLines parses 100,000 events of gen_events.py as JSON lines
// and reports events per second (run with -cpu 1 for one core). IntelMQ
// parses 5,200-5,700 events/s on the project's machines.
func BenchmarkJSONLines(b *testing.B) {
	const rows = 100000
	dir, _ := os.Getwd()
	for dir != filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	script := filepath.Join(dir, "..", "shared", "bench", "gen_events.py")
	if _, err := os.Stat(script); err != nil {
		b.Skipf("gen_events.py: %v", err)
	}
	raw, err := exec.Command("python3", script, "--rows", strconv.Itoa(rows)).Output()
	if err != nil {
		b.Skipf("gen_events.py cannot run: %v", err)
	}
	p, err := New(Config{SplitLines: true})
	if err != nil {
		b.Fatal(err)
	}
	r := parsertest.Report(b, raw)
	parsertest.Bench(b, p, r, rows)
}
