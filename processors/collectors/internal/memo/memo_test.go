package memo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type state struct {
	ETag string            `json:"etag"`
	Seen map[string]string `json:"seen"`
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep", "node", "validators.json")
	f := At(path)
	var s state
	if err := f.Load(&s); err != nil || s.ETag != "" {
		t.Fatalf("never saved: %+v %v", s, err)
	}
	if err := f.Save(state{ETag: `"abc"`, Seen: map[string]string{"a.csv": "1 2"}}); err != nil {
		t.Fatal(err)
	}
	var got state
	if err := At(path).Load(&got); err != nil || got.ETag != `"abc"` || got.Seen["a.csv"] != "1 2" {
		t.Fatalf("loaded %+v, %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files left, want the document only", len(entries))
	}
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Load(&got); err == nil || !strings.Contains(err.Error(), "delete the file to start afresh") {
		t.Errorf("broken document: %v", err)
	}
}

func TestInMemoryWithoutStateDir(t *testing.T) {
	f := Open(context.Background(), "x")
	if err := f.Save(state{ETag: "e"}); err != nil {
		t.Fatal(err)
	}
	var s state
	if err := f.Load(&s); err != nil || s.ETag != "" {
		t.Errorf("a run without a state directory wrote state: %+v %v", s, err)
	}
}
