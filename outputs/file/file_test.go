package file

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

func TestWritesIntelMQLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	p, err := Spec.Validate(map[string]any{"path": path})
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	e := &dho.Event{}
	if err := e.Set("source.ip", []string{"192.0.2.1", "192.0.2.2"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := o.Write(context.Background(), []*dho.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	line := `{"extra.dho.source.ip": ["192.0.2.2"], "source.ip": "192.0.2.1"}` + "\n"
	if string(got) != line+line {
		t.Errorf("file holds %q", got)
	}
	var buf bytes.Buffer
	if err := NewWriter(&buf, dho.FlatOptions{Mode: dho.FlatDHO}).Write(context.Background(), []*dho.Event{e}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != `{"__type": "Event", "source.ip": ["192.0.2.1", "192.0.2.2"]}`+"\n" {
		t.Errorf("writer got %q", buf.String())
	}
	if _, err := Spec.Validate(map[string]any{"format": "xml"}); err == nil {
		t.Error("format xml accepted")
	}
}
