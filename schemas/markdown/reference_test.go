package markdown

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
)

var update = flag.Bool("update", false, "rewrite docs/fields.md from FieldReference")

var fieldsDoc = filepath.Join("..", "..", "docs", "fields.md")

func TestFieldReferenceUpToDate(t *testing.T) {
	want := FieldReference()
	if *update {
		if err := os.WriteFile(fieldsDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(fieldsDoc)
	if err != nil {
		t.Fatalf("%v; create it with: go test ./schemas/markdown -update", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		i := 0
		for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
			i++
		}
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		t.Fatalf("docs/fields.md is out of date with the field registry; refresh it with:\n"+
			"\tgo test ./schemas/markdown -update\nfirst difference, line %d:\n\tfile:      %s\n\tgenerated: %s", i+1, g, w)
	}
}

func TestFieldReferenceCoversRegistry(t *testing.T) {
	doc := string(FieldReference())
	if !strings.HasPrefix(doc, "# DHO "+dho.Version+" field reference\n") {
		t.Errorf("title: %q", strings.SplitN(doc, "\n", 2)[0])
	}
	for _, f := range dho.Fields() {
		if !strings.Contains(doc, "| `"+f.Name+"` | "+f.Type.String()+" |") {
			t.Errorf("no row for field %s", f.Name)
		}
		if !strings.Contains(doc, f.Doc) {
			t.Errorf("no description of field %s", f.Name)
		}
	}
	for _, typ := range dho.Types() {
		if !strings.Contains(doc, "| "+typ.String()+" | ") {
			t.Errorf("no row for type %s", typ)
		}
	}
	for _, ct := range taxonomy.Types() {
		if !strings.Contains(doc, "| `"+ct.Name+"` | "+ct.Description+" |") {
			t.Errorf("no row for classification type %s", ct.Name)
		}
	}
	for _, tax := range taxonomy.Taxonomies() {
		if !strings.Contains(doc, "\n### "+tax+"\n") {
			t.Errorf("no section for taxonomy %s", tax)
		}
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":  "`a|b`",
		"a`b":  "``a`b``",
		"`a":   "`` `a ``",
		"^.*$": "`^.*$`",
	} {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}
