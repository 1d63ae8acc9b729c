package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := WriteFile(path, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two"), 0o640); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	st, serr := os.Stat(path)
	if err != nil || serr != nil || string(data) != "two" || st.Mode().Perm() != 0o640 {
		t.Fatalf("%q %v, mode %v %v", data, err, st.Mode(), serr)
	}
	// A failed write leaves the old file and no temporary one.
	boom := errors.New("boom")
	if err := Write(path, 0o640, func(w io.Writer) error { w.Write([]byte("half")); return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "two" {
		t.Errorf("after a failed write: %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left, want 1", len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x"), nil, 0o600); err == nil {
		t.Error("a file in a missing folder was written")
	}
}
