// Package parsertest runs the tests every parser package shares: golden
// files of our own fixtures, and the checks of a fuzz target.
package parsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/internal/procstat"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Updating reports whether go test -update was given: tests of a parser
// package rewrite their golden files then.
func Updating() bool { return *update }

// Report makes the report the fixtures are parsed from: raw, a feed name
// and an observation time.
func Report(t testing.TB, raw []byte) *dho.Report {
	t.Helper()
	r := &dho.Report{Raw: raw}
	if err := r.Set("feed.name", "Test Feed"); err != nil {
		t.Fatal(err)
	}
	if err := r.Set("time.observation", "2024-05-02T00:00:00+00:00"); err != nil {
		t.Fatal(err)
	}
	return r
}

// Run parses r with p and returns the events in IntelMQ's flat form, one
// a line, followed by a "# failed: ..." line per failure and a
// "# error: ..." line when the report failed as a whole.
func Run(t testing.TB, p parsers.Parser, r *dho.Report) []byte {
	t.Helper()
	var out bytes.Buffer
	var fails []parsers.Failure
	err := p.Parse(context.Background(), r, func(ev *dho.Event) error {
		flat := ev.MarshalFlat(dho.FlatOptions{})
		CheckRoundTrip(t, flat)
		out.Write(flat)
		out.WriteByte('\n')
		return nil
	}, func(f parsers.Failure) { fails = append(fails, f) })
	for _, f := range fails {
		fmt.Fprintf(&out, "# failed: %v\n", f)
	}
	if err != nil {
		fmt.Fprintf(&out, "# error: %v\n", err)
	}
	return out.Bytes()
}

// CheckRoundTrip fails t when an event's flat form does not decode, or
// does not encode back to the same bytes.
func CheckRoundTrip(t testing.TB, flat []byte) {
	t.Helper()
	var back dho.Event
	if err := back.UnmarshalFlat(string(flat)); err != nil {
		t.Fatalf("event does not decode: %v\n%s", err, flat)
	}
	if again := back.MarshalFlat(dho.FlatOptions{}); !bytes.Equal(again, flat) {
		t.Fatalf("round trip changes the event:\n%s\n%s", flat, again)
	}
}

// Golden runs every case in dir (testdata): NAME.params.json holds the
// parameters as IntelMQ names them, the input is the other file named
// NAME.* (NAME.csv, NAME.txt, NAME.html ...), and NAME.golden.jsonl what
// Run returns, byte for byte (go test -update rewrites it). The parser is
// made by its registered name.
func Golden(t *testing.T, parser, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.params.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in %s: %v", dir, err)
	}
	for _, pf := range files {
		name := strings.TrimSuffix(filepath.Base(pf), ".params.json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(pf)
			if err != nil {
				t.Fatal(err)
			}
			var params map[string]any
			if err := json.Unmarshal(b, &params); err != nil {
				t.Fatalf("%s: %v", pf, err)
			}
			p, err := parsers.New(parser, params)
			if err != nil {
				t.Fatal(err)
			}
			input := Input(t, dir, name)
			got := Run(t, p, Report(t, input))
			Check(t, filepath.Join(dir, name+".golden.jsonl"), got)
		})
	}
}

// Input returns the input file of case name.
func Input(t testing.TB, dir, name string) []byte {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, name+".*"))
	for _, m := range matches {
		if strings.HasSuffix(m, ".params.json") || strings.HasSuffix(m, ".golden.jsonl") {
			continue
		}
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("no input file for case %s", name)
	return nil
}

// Inputs returns the contents of every input file in dir, as seed corpus
// for a fuzz target.
func Inputs(dir string) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if strings.HasSuffix(f, ".params.json") || strings.HasSuffix(f, ".golden.jsonl") {
			continue
		}
		if b, err := os.ReadFile(f); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// Check compares got with the golden file path.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d differs (go test -update accepts):\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d (go test -update accepts)", path, len(gl), len(wl))
	}
}

// Fuzz parses raw with each parser: it must not panic, and every event
// must survive the flat round trip (CheckRoundTrip); failures must have a
// reason.
func Fuzz(t *testing.T, raw []byte, ps ...parsers.Parser) {
	for _, p := range ps {
		r := &dho.Report{Raw: raw}
		_ = p.Parse(context.Background(), r, func(ev *dho.Event) error {
			CheckRoundTrip(t, ev.MarshalFlat(dho.FlatOptions{}))
			return nil
		}, func(f parsers.Failure) {
			if f.Err == nil {
				t.Fatal("failure without a reason")
			}
		})
	}
}

// BadParams checks that each set of parameters is refused with an error
// wrapping parsers.ErrParameter that mentions the text wanted.
func BadParams(t *testing.T, parser string, cases map[string]map[string]any) {
	t.Helper()
	for want, params := range cases {
		_, err := parsers.New(parser, params)
		if err == nil {
			t.Errorf("%v: accepted, want an error mentioning %q", params, want)
			continue
		}
		if !strings.Contains(err.Error(), want) || !errors.Is(err, parsers.ErrParameter) {
			t.Errorf("%v: %v, want a parameter error mentioning %q", params, err, want)
		}
	}
}

// Bench times p on report r, which must give rows events and no failure,
// and reports the rate as events/s: the loop of every parser benchmark.
func Bench(b *testing.B, p parsers.Parser, r *dho.Report, rows int) {
	b.Helper()
	ctx := context.Background()
	b.SetBytes(int64(len(r.Raw)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := procstat.CPUTime()
	n := 0
	for b.Loop() {
		n = 0
		// Events go back to the pool as a parser node's do once encoded.
		err := p.Parse(ctx, r, func(ev *dho.Event) error { n++; dho.ReleaseEvent(ev); return nil },
			func(f parsers.Failure) { b.Fatalf("failure: %v", f) })
		if err != nil {
			b.Fatal(err)
		}
	}
	if n != rows {
		b.Fatalf("%d events, want %d", n, rows)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// CPU time per event is steadier than events/s on a shared machine.
	b.ReportMetric(float64((procstat.CPUTime()-cpu).Microseconds())/float64(rows*b.N), "cpu-µs/event")
}
