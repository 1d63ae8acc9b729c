package file

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	o := outtest.New(t, Spec, New, raw)
	return o
}

// readLines returns the lines of a file, decompressing it as named.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(path, ".gz"):
		gz, err := gzip.NewReader(f) // reads every member
		if err == io.EOF {
			return nil // empty: just opened
		}
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	case strings.HasSuffix(path, ".zst"):
		zr, err := zstd.NewReader(f) // reads every frame
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines
}

// allLines reads every file in dir (rotated ones first, in name order,
// then the open one, whose name has no timestamp).
func allLines(t *testing.T, dir string) (files []string, lines []string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		files = append(files, filepath.Join(dir, e.Name()))
	}
	sort.Slice(files, func(i, j int) bool {
		ri, rj := strings.Contains(files[i], "-2"), strings.Contains(files[j], "-2")
		if ri != rj {
			return ri
		}
		return files[i] < files[j]
	})
	for _, f := range files {
		lines = append(lines, readLines(t, f)...)
	}
	return files, lines
}

func TestRotateBySizeCompressed(t *testing.T) {
	for _, tc := range []struct{ compress, ext string }{{"none", ".jsonl"}, {"gzip", ".jsonl.gz"}, {"zstd", ".jsonl.zst"}} {
		t.Run(tc.compress, func(t *testing.T) {
			dir := t.TempDir()
			o := newOutput(t, map[string]any{"path": filepath.Join(dir, "events"+tc.ext), "rotate_size": 4000, "compress": tc.compress})
			clock := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
			o.now = func() time.Time { clock = clock.Add(time.Second); return clock }
			events := outtest.Events(t, 60)
			for i := 0; i < len(events); i += 3 {
				if err := o.Write(context.Background(), events[i:i+3]); err != nil {
					t.Fatal(err)
				}
			}
			files, lines := allLines(t, dir)
			if len(files) < 3 {
				t.Errorf("%d files, want several", len(files))
			}
			for _, f := range files {
				st, _ := os.Stat(f)
				if st.Size() > 4000 {
					t.Errorf("%s has %d bytes, over rotate_size", f, st.Size())
				}
				if !strings.HasSuffix(f, tc.ext) {
					t.Errorf("%s does not keep the extension", f)
				}
			}
			if len(lines) != len(events) {
				t.Fatalf("%d lines, want %d", len(lines), len(events))
			}
			for i, l := range lines {
				if want := string(events[i].MarshalFlat(dho.FlatOptions{OmitType: true})); l != want {
					t.Fatalf("line %d: %s, want %s", i, l, want)
				}
			}
		})
	}
}

func TestRotateByTimeAndPrune(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	o := newOutput(t, map[string]any{"path": path, "rotate_interval": "1h", "max_files": 2})
	clock := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	o.now = func() time.Time { return clock }
	o.opened = clock
	events := outtest.Events(t, 5)
	for i, e := range events {
		clock = clock.Add(40 * time.Minute)
		if err := o.Write(context.Background(), []*dho.Event{e}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	files, lines := allLines(t, dir)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	// Rotated at 01:20 (holding events 0, 1) and 02:40 (2, 3): both kept.
	want := []string{"events-20260314T012000Z.jsonl", "events-20260314T024000Z.jsonl", "events.jsonl"}
	if strings.Join(names, " ") != strings.Join(want, " ") || len(lines) != 5 {
		t.Errorf("files %v with %d lines, want %v", names, len(lines), want)
	}
	for range 4 { // two more rotations: the oldest files go
		clock = clock.Add(80 * time.Minute)
		if err := o.Write(context.Background(), events[:1]); err != nil {
			t.Fatal(err)
		}
	}
	files, _ = allLines(t, dir)
	if len(files) != 3 || strings.Contains(strings.Join(files, " "), "T01") {
		t.Errorf("after pruning: %v", files)
	}
}

func TestRotationParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"path": "-", "rotate_size": 10}, Param: "path"},
		{Raw: map[string]any{"path": "x", "rotate_size": -1}, Param: "rotate_size"},
		{Raw: map[string]any{"path": "x", "max_files": -1}, Param: "max_files"},
		{Raw: map[string]any{"path": "x", "compress": "lz4"}, Param: "compress"},
	})
}

// The directory disappears while the output rotates (files cannot be
// renamed nor opened) and comes back: every event is written once, in the
// moved directory or the new one.
func TestFaultDirectoryGoesAway(t *testing.T) {
	root := t.TempDir()
	dir, moved := filepath.Join(root, "out"), filepath.Join(root, "moved")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	o := newOutput(t, map[string]any{"path": filepath.Join(dir, "events.jsonl.gz"), "rotate_size": 3000, "compress": "gzip"})
	var failures atomic.Int32
	out := topology.OutputFunc[dho.Event](func(ctx context.Context, b []*dho.Event) error {
		err := o.Write(ctx, b)
		if err != nil {
			failures.Add(1)
		}
		return err
	})
	events := outtest.Events(t, 400)
	count := func() int {
		// moved first: a rename between the two reads then hides the
		// files rather than counting them twice.
		_, b := allLines(t, moved)
		_, a := allLines(t, dir)
		seen := map[string]bool{}
		for _, l := range append(a, b...) {
			e, err := dho.ParseEvent([]byte(l))
			if err != nil {
				t.Fatal(err)
			}
			seen[e.ID] = true
		}
		if len(seen) != len(a)+len(b) {
			t.Fatalf("%d lines for %d events: some written twice", len(a)+len(b), len(seen))
		}
		return len(seen)
	}
	go func() {
		for {
			if _, l := allLines(t, dir); len(l) > 100 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		o.mu.Lock()
		os.Rename(dir, moved)
		o.mu.Unlock()
		time.Sleep(150 * time.Millisecond)
		os.Mkdir(dir, 0o755)
	}()
	outtest.RunPaced(t, events, 20, 10*time.Millisecond, out, func() bool { return count() == len(events) }, 60*time.Second)
	if failures.Load() == 0 {
		t.Error("no write failed while the directory was gone")
	}
}
