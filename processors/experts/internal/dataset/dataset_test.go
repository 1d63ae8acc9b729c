package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
)

func readFile(path string) Loader[string] {
	return func(context.Context) (*string, time.Time, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, time.Time{}, err
		}
		s := strings.TrimSpace(string(b))
		if s == "bad" {
			return nil, time.Time{}, errors.New("does not parse")
		}
		return &s, time.Time{}, nil
	}
}

func TestReloadOnChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.txt")
	if err := os.WriteFile(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(path, old, old)
	s, err := Open(context.Background(), Options{Name: "test", Files: []string{path}, CheckEvery: time.Nanosecond, MaxAge: time.Hour}, readFile(path))
	if err != nil {
		t.Fatal(err)
	}
	var _ freshness.Reporter = s
	if got := *s.Get(); got != "one" {
		t.Fatalf("Get = %q", got)
	}
	if at, ok := s.DataAge(); !ok || !at.Equal(old) {
		t.Errorf("DataAge = %v %v, want the file's time %v", at, ok, old)
	}
	var se *freshness.StaleError
	if err := s.Health(context.Background()); !errors.As(err, &se) {
		t.Errorf("Health of 2h old data with max_age 1h: %v", err)
	}

	// A file that does not parse leaves the old data in place.
	replaceFile(t, path, "bad")
	if err := s.Reload(context.Background()); err == nil || *s.Get() != "one" {
		t.Fatalf("bad file: err %v, data %q", err, *s.Get())
	}

	// A change is noticed by Get and loaded in the background.
	replaceFile(t, path, "two")
	deadline := time.Now().Add(5 * time.Second)
	for *s.Get() != "two" {
		if time.Now().After(deadline) {
			t.Fatal("change not reloaded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Health(context.Background()); err != nil {
		t.Errorf("Health after reload: %v", err)
	}
}

func TestNoFiles(t *testing.T) {
	var n atomic.Int32
	s, err := Open(context.Background(), Options{Name: "table", CheckEvery: -1}, func(context.Context) (*int32, time.Time, error) {
		v := n.Add(1)
		return &v, time.Time{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := s.DataAge(); !ok || time.Since(at) > time.Minute {
		t.Errorf("DataAge without files = %v, want the load time", at)
	}
	s.Get()
	if *s.Get() != 1 {
		t.Error("reloaded though CheckEvery < 0")
	}
	if err := s.Reload(context.Background()); err != nil || *s.Get() != 2 {
		t.Errorf("Reload: %v, %d", err, *s.Get())
	}
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing")
	if _, err := Open(context.Background(), Options{Name: "x", Files: []string{path}}, readFile(path)); err == nil {
		t.Error("missing file accepted")
	}
}

// replaceFile replaces path's content at once (write and rename), so that
// a background reload never reads a half-written file.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
