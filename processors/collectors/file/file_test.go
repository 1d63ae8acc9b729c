package file

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

func collect(t *testing.T, raw map[string]any, ctx context.Context) []*dho.Report {
	t.Helper()
	p, err := Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }
	var out []*dho.Report
	if err := c.Run(ctx, func(r *dho.Report) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFolderOnce(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b.csv": "ip\n192.0.2.2\n", "a.csv": "ip\n192.0.2.1\n", "notes.txt": "x"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reports := collect(t, map[string]any{"path": dir, "postfix": ".csv", "feed_name": "Test Feed", "feed_accuracy": 90}, context.Background())
	if len(reports) != 2 {
		t.Fatalf("%d reports, want 2", len(reports))
	}
	got := string(reports[0].MarshalFlat(dho.FlatOptions{OmitType: true}))
	want := `{"extra.file_name": "a.csv", "feed.accuracy": 90.0, "feed.name": "Test Feed", "raw": "aXAKMTkyLjAuMi4xCg==", "time.observation": "2026-11-20T09:00:00+00:00"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestWatchFindsNewFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "1.csv"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, _ := Spec.Validate(map[string]any{"path": dir, "interval": "10ms"})
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var names []string
	err = c.Run(ctx, func(r *dho.Report) error {
		v, _ := r.Get("extra.file_name")
		names = append(names, v.(dho.Value).Text())
		if len(names) == 1 {
			return os.WriteFile(filepath.Join(dir, "2.csv"), []byte("y"), 0o644)
		}
		cancel()
		return nil
	})
	if err != nil || strings.Join(names, ",") != "1.csv,2.csv" {
		t.Fatalf("names %v, err %v", names, err)
	}
}

func TestBadParameters(t *testing.T) {
	if _, err := Spec.Validate(map[string]any{}); err == nil {
		t.Error("missing path accepted")
	}
	p, _ := Spec.Validate(map[string]any{"path": filepath.Join(t.TempDir(), "missing")})
	if _, err := New(p); err == nil {
		t.Error("missing file accepted")
	}
	p, _ = Spec.Validate(map[string]any{"path": t.TempDir(), "feed_accuracy": 500})
	if _, err := New(p); err == nil || !strings.Contains(err.Error(), "feed.accuracy") {
		t.Errorf("accuracy 500: %v", err)
	}
	if _, err := Spec.ValidateIntelMQ(map[string]any{"path": "/x", "name": "Feed", "logging_level": "INFO"}, nil); err != nil {
		t.Errorf("IntelMQ parameters refused: %v", err)
	}
}

func TestDeleteAndMove(t *testing.T) {
	for _, mode := range []string{"delete", "move"} {
		dir, dest := t.TempDir(), t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.csv"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		raw := map[string]any{"path": dir, "delete_file": true}
		if mode == "move" {
			raw = map[string]any{"path": dir, "move_to": dest}
		}
		if got := collect(t, raw, context.Background()); len(got) != 1 {
			t.Fatalf("%s: %d reports", mode, len(got))
		}
		if _, err := os.Stat(filepath.Join(dir, "a.csv")); !os.IsNotExist(err) {
			t.Errorf("%s: the file is still there", mode)
		}
		_, err := os.Stat(filepath.Join(dest, "a.csv"))
		if (mode == "move") != (err == nil) {
			t.Errorf("%s: moved file: %v", mode, err)
		}
	}
	p, _ := Spec.Validate(map[string]any{"path": t.TempDir(), "delete_file": true, "move_to": t.TempDir()})
	if _, err := New(p); err == nil {
		t.Error("delete_file with move_to accepted")
	}
}

// TestSeenFilesSurviveARestart: without delete_file or move_to, a watching
// collector restarted with the same state directory sends only new or
// changed files; one that reads once sends them all again.
func TestSeenFilesSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", "ip\n192.0.2.1\n")
	write("b.csv", "ip\n192.0.2.2\n")
	state := topology.ContextWithStateDir(context.Background(), t.TempDir())
	watch := func(want int) []*dho.Report {
		ctx, cancel := context.WithCancel(state)
		defer cancel()
		p, err := Spec.Validate(map[string]any{"path": dir, "postfix": ".csv", "interval": "50ms"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		var out []*dho.Report
		err = c.Run(ctx, func(r *dho.Report) error {
			if out = append(out, r); len(out) == want {
				time.AfterFunc(200*time.Millisecond, cancel) // time to send more, wrongly
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if n := len(watch(2)); n != 2 {
		t.Fatalf("first run: %d reports, want 2", n)
	}
	if n := len(collect(t, map[string]any{"path": dir, "postfix": ".csv"}, state)); n != 2 {
		t.Fatalf("reading once: %d reports, want both files again", n)
	}
	write("b.csv", "ip\n192.0.2.2\n192.0.2.3\n") // changed
	write("c.csv", "ip\n192.0.2.4\n")            // new
	reports := watch(2)
	var names []string
	for _, r := range reports {
		v, _ := r.Get("extra.file_name")
		names = append(names, v.(dho.Value).Text())
	}
	if strings.Join(names, " ") != "b.csv c.csv" {
		t.Errorf("after the restart: %v, want the changed and the new file", names)
	}
}
