package shadowserver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// sharedDir returns the shared folder beside the repository (../shared
// from the repository root), where the benchmark generators live.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// generator returns the command line of gen_shadowserver.py, or skips the
// test when python3 or the script is missing (outside CI, where it must
// be there).
func generator(t testing.TB) (python, script string) {
	t.Helper()
	script = filepath.Join(sharedDir(t), "bench", "gen_shadowserver.py")
	python, err := exec.LookPath("python3")
	if err == nil {
		_, err = os.Stat(script)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Shadowserver generator cannot run under CI: %v", err)
		}
		t.Skipf("the Shadowserver generator cannot run: %v", err)
	}
	return python, script
}

// generate writes rows of report type feed into a temporary file and
// returns its bytes.
func generate(t testing.TB, feed string, rows int, extra ...string) []byte {
	t.Helper()
	python, script := generator(t)
	out := filepath.Join(t.TempDir(), feed+".csv")
	args := append([]string{script, "--feed", feed, "--rows", itoa(rows), "--out", out}, extra...)
	cmd := exec.Command(python, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_shadowserver.py --feed %s: %v\n%s", feed, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// report makes a report of a Shadowserver file.
func report(t testing.TB, fileName string, raw []byte) *dho.Report {
	t.Helper()
	r := &dho.Report{Raw: raw}
	if fileName != "" {
		if err := r.Set("extra.file_name", fileName); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Set("time.observation", "2024-05-02T00:00:00+00:00"); err != nil {
		t.Fatal(err)
	}
	return r
}

// parseAll parses r and returns the events and failures.
func parseAll(t testing.TB, p parsers.Parser, r *dho.Report) ([]*dho.Event, []parsers.Failure, error) {
	t.Helper()
	var evs []*dho.Event
	var fails []parsers.Failure
	err := p.Parse(context.Background(), r, func(ev *dho.Event) error {
		evs = append(evs, ev)
		return nil
	}, func(f parsers.Failure) { fails = append(fails, f) })
	return evs, fails, err
}
