package file

import (
	"bytes"
	"context"
	"fmt"
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

func TestOneFilePerGroup(t *testing.T) {
	dir := t.TempDir()
	p, err := Spec.Validate(map[string]any{"path": filepath.Join(dir, "net-{group}.jsonl"), "format": "dho"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(group string) *dho.Event {
		e := &dho.Event{Group: group}
		if err := e.Set("source.ip", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return e
	}
	// More groups than stay open: the first ones are closed and
	// reopened for appending when they come again.
	var batch []*dho.Event
	for i := range maxOpenGroups + 10 {
		batch = append(batch, ev(fmt.Sprintf("g%d", i)))
	}
	batch = append(batch, ev("192.0.2.0/24"), ev(""), ev("../escape"), ev("192.0.2.0/24"))
	for range 2 {
		if err := o.Write(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	for name, lines := range map[string]int{
		"net-g0.jsonl": 2, "net-g137.jsonl": 2, "net-192.0.2.0_24.jsonl": 4, "net-ungrouped.jsonl": 2, "net-.._escape.jsonl": 2,
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(data, []byte("\n")); n != lines {
			t.Errorf("%s: %d lines, want %d", name, n, lines)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != maxOpenGroups+10+3 {
		t.Errorf("%d files, want %d", len(files), maxOpenGroups+13)
	}
}
