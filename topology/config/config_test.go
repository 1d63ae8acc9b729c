package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	_ "github.com/intelstream/intelstream/outputs/file"
	_ "github.com/intelstream/intelstream/processors/collectors/file"
	_ "github.com/intelstream/intelstream/processors/experts/taxonomy"
	_ "github.com/intelstream/intelstream/processors/parsers/all"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestLoadQuickstartExample(t *testing.T) {
	t.Chdir(filepath.Join("..", "..")) // the example's paths are relative to the repository
	f, err := Load(filepath.Join("examples", "config", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "quickstart" || f.Run.Partitions != 3 || len(f.Nodes) != 4 {
		t.Fatalf("name %q, partitions %d, %d nodes", f.Name, f.Run.Partitions, len(f.Nodes))
	}
	if got := strings.Join(f.Topology.Nodes(), ","); got != "collect,parse,taxonomy,output" {
		t.Errorf("nodes %s", got)
	}
	out := f.Nodes[3]
	if out.Spec.Name != "file-output" || out.Options.BatchSize != 500 || out.Options.BatchWait.String() != "200ms" {
		t.Errorf("output node %+v", out)
	}
	d := f.Topology.Describe()
	if m := d.Mermaid(); !strings.Contains(m, "quickstart.parse") {
		t.Errorf("mermaid: %s", m)
	}
}

// file is a valid topology that the error cases below break one way each.
const file = `name: t
nodes:
  collect:
    kind: file-collector
    params:
      path: testdata
  parse:
    kind: shadowserver
    inputs: [collect]
  out:
    kind: file-output
    inputs: [parse]
    params:
      path: "-"
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"unknown kind", "kind: shadowserver", "kind: nope", []string{"t.yaml:7: node parse: unknown kind \"nope\""}},
		{"IntelMQ module as kind", "kind: shadowserver", "kind: intelmq.bots.parsers.shadowserver.parser", nil},
		{"unknown parameter", "path: \"-\"", "path: \"-\"\n      colour: red", []string{"t.yaml:15: node out: parameter colour: unknown parameter"}},
		{"ill-typed parameter", "path: \"-\"", "path: \"-\"\n      rotate_size: big", []string{"t.yaml:15: node out: parameter rotate_size: big (string) is not a int"}},
		{"enum", "path: \"-\"", "path: \"-\"\n      format: xml", []string{"t.yaml:15: node out: parameter format: \"xml\" is not one of intelmq, dho"}},
		{"required parameter", "      path: testdata\n", "      postfix: .csv\n", []string{"t.yaml:3: node collect: parameter path: required, not given"}},
		{"unknown input", "inputs: [parse]", "inputs: [parser]", []string{"t.yaml:12: node out: input \"parser\": no such node"}},
		{"reports into an output of events", "inputs: [parse]", "inputs: [collect]", []string{"t.yaml:12: node out: takes events, but its input collect gives reports"}},
		{"collector with inputs", "    params:\n      path: testdata", "    inputs: [parse]\n    params:\n      path: testdata", []string{"cycle"}},
		{"parser without input", "    inputs: [collect]\n", "", []string{"node parse: takes reports but has no inputs"}},
		{"cycle", "inputs: [collect]", "inputs: [collect, out]", []string{"t.yaml:7: nodes parse, out read each other's outputs in a cycle"}},
		{"output as input", "inputs: [parse]", "inputs: [parse]\n  out2:\n    kind: file-output\n    inputs: [out]", []string{"t.yaml:15: node out2: input out is an output"}},
		{"unknown node key", "kind: shadowserver", "kind: shadowserver\n    colour: red", []string{"t.yaml:9: node parse: unknown key \"colour\""}},
		{"unknown top key", "name: t", "name: t\nversion: 2", []string{"t.yaml:2: unknown key \"version\""}},
		{"no name", "name: t\n", "", []string{"t.yaml:1: no name"}},
		{"bad name", "name: t", "name: T!", []string{"topology name \"T!\""}},
		{"bad option", "inputs: [parse]", "inputs: [parse]\n    options:\n      batch: {size: 10, wait: soon}", []string{"t.yaml:14: node out: options.batch.wait: \"soon\" is not a duration"}},
		{"unknown option", "inputs: [parse]", "inputs: [parse]\n    options:\n      speed: 3", []string{"t.yaml:14: node out: options: unknown key \"speed\""}},
		{"unknown batch key", "inputs: [parse]", "inputs: [parse]\n    options:\n      batch: {count: 3}", []string{"options.batch", "count"}},
		{"negative", "inputs: [parse]", "inputs: [parse]\n    options:\n      max_in_flight: -1", []string{"options.max_in_flight: -1 is negative"}},
		{"not a mapping", "name: t\nnodes:", "name: t\nnodes: []\nx:", []string{"unknown key \"x\"", "nodes: want a mapping"}},
		{"node twice", "  out:\n", "  parse:\n", []string{"t.yaml:10: node parse: declared twice"}},
		{"parser parameter", "inputs: [collect]", "inputs: [collect]\n    params:\n      colour: red", []string{"node parse:", "colour"}},
		{"unconsumed stream", "  out:\n    kind: file-output\n    inputs: [parse]\n    params:\n      path: \"-\"\n", "", []string{"parse"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(file, tc.old, tc.new, 1)
			if src == file {
				t.Fatalf("replacement of %q changed nothing", tc.old)
			}
			f, err := Parse("t.yaml", []byte(src))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted:\n%s", src)
			}
			if f != nil {
				t.Error("a file came back with the error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestMergedInputs(t *testing.T) {
	src := file + `  collect2:
    kind: file-collector
    params: {path: testdata}
  parse2:
    kind: shadowserver
    inputs: [collect, collect2]
  out2:
    kind: file-output
    inputs: [parse2]
`
	f, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Topology.Nodes(), ","); got != "collect,parse,out,collect2,parse2-merge,parse2,out2" {
		t.Errorf("nodes %s", got)
	}
	bad := strings.Replace(src, "inputs: [collect, collect2]", "inputs: [collect, parse]", 1)
	if _, err := Parse("t.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "inputs of different types") {
		t.Errorf("merge of reports and events: %v", err)
	}
}

func TestSetValue(t *testing.T) {
	for _, c := range []struct {
		in   string
		want any
	}{
		{"-", "-"}, {"", ""}, {"a: b", "a: b"}, {"# x", "# x"}, {"- a", "- a"},
		{"5", 5}, {"true", true}, {"1.5", 1.5}, {"out.jsonl", "out.jsonl"},
		{"[a, b]", []any{"a", "b"}}, {"{k: v}", map[string]any{"k": "v"}},
	} {
		got := setValue(c.in)
		if fmt.Sprint(got) != fmt.Sprint(c.want) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", c.want) {
			t.Errorf("setValue(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestSetOverrides(t *testing.T) {
	f, err := Parse("t.yaml", []byte(file), Set("out", "format", "dho"), Set("out", "path", "out.jsonl"), Set("out", "rotate_size", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Param("out", "rotate_size"); v != 1000 {
		t.Errorf("rotate_size %v (%T)", v, v)
	}
	if _, err := Parse("t.yaml", []byte(file), Set("out", "format", "xml")); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("bad --set: %v", err)
	}
	if _, err := Parse("t.yaml", []byte(file), Set("nope", "format", "dho")); err == nil || !strings.Contains(err.Error(), "no node \"nope\"") {
		t.Errorf("--set of an unknown node: %v", err)
	}
}

func TestSetParamKeepsComments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "commented.yaml")
	src, err := os.ReadFile(filepath.Join("testdata", "commented.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o640); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		node, param string
		value       any
	}{
		{"output", "format", "dho"},    // existing, in a flow mapping
		{"output", "max_files", 7},     // new, in a flow mapping
		{"collect", "path", "data"},    // existing, with comments
		{"collect", "interval", "5m"},  // existing
		{"collect", "postfix", ".csv"}, // new, block mapping
		{"parse", "feed", "scan_http"}, // a parser's own parameter: a node without params
	} {
		if err := f.SetParam(c.node, c.param, c.value); err != nil {
			t.Fatalf("SetParam(%s, %s): %v", c.node, c.param, err)
		}
	}
	for _, c := range []struct {
		node, param string
		value       any
		want        string
	}{
		{"output", "format", "xml", "not one of"},
		{"output", "colour", "red", "unknown parameter"},
		{"collect", "interval", "soon", "not a duration"},
		{"nope", "path", "x", "not found"},
	} {
		if err := f.SetParam(c.node, c.param, c.value); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetParam(%s, %s, %v): %v, want %q", c.node, c.param, c.value, err, c.want)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "commented.golden.yaml", got)
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after Save", st.Mode())
	}
	// The saved file still parses, with the new values (path "data" does
	// not exist here: check the document only).
	var doc yaml.Node
	if err := yaml.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	g := &File{doc: doc}
	e := &errs{file: "saved"}
	g.decode(e)
	g.check(e)
	if err := e.join(); err != nil {
		t.Fatal(err)
	}
	if v, _ := g.Param("output", "max_files"); v != 7 {
		t.Errorf("max_files after save: %v", v)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestSetParamConcurrent(t *testing.T) {
	f, err := Parse("t.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				if err := f.SetParam("out", "rotate_size", i*100+j); err != nil {
					t.Error(err)
				}
				if _, err := f.Bytes(); err != nil {
					t.Error(err)
				}
				f.Param("out", "rotate_size")
			}
		})
	}
	wg.Wait()
}

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test -update accepts it):\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// FuzzDecode feeds arbitrary documents to the structure and parameter
// checks (not to the factories, which open files). They must return
// errors, never panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(file))
	for _, name := range []string{"testdata/commented.yaml", "../../examples/config/quickstart.yaml"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("nodes: {a: {kind: taxonomy, inputs: a, options: {batch: 3}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &File{}
		if err := yaml.Unmarshal(data, &g.doc); err != nil || len(g.doc.Content) == 0 {
			return
		}
		e := &errs{file: "fuzz"}
		g.decode(e)
		if e.join() == nil {
			g.check(e)
			g.order()
		}
	})
}
