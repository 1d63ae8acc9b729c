package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run executes the command with args and returns stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestFieldsTableListsEveryField(t *testing.T) {
	out, _, err := run(t, "", "fields")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	fields := dho.Fields()
	if len(lines) != len(fields)+1 {
		t.Fatalf("%d lines for %d fields", len(lines), len(fields))
	}
	for i, f := range fields {
		if name := strings.Fields(lines[i+1])[0]; name != f.Name {
			t.Errorf("line %d: %s, want %s", i+2, name, f.Name)
		}
	}
	for _, name := range []string{"source.ip", "extra", "severity", "product.vulnerabilities", "id", "notification.ttl", "tags"} {
		if !strings.Contains(out, "\n"+name+" ") {
			t.Errorf("fields table lacks %s", name)
		}
	}
}

func TestFieldsJSON(t *testing.T) {
	out, _, err := run(t, "", "fields", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string      `json:"dho_version"`
		Fields  []fieldJSON `json:"fields"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != dho.Version || len(doc.Fields) != len(dho.Fields()) {
		t.Fatalf("version %q, %d fields", doc.Version, len(doc.Fields))
	}
	for _, f := range doc.Fields {
		if f.Name == "source.port" && (!f.Multi || f.Type != "Integer" || f.Max == nil || *f.Max != 65535 || f.Description == "") {
			t.Errorf("source.port entry: %+v", f)
		}
	}
	out, _, err = run(t, "", "fields", "--json", "--report")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Fields) != 10 {
		t.Fatalf("report fields: %v, %d", err, len(doc.Fields))
	}
}

func TestNormalizeSample(t *testing.T) {
	for _, mode := range []string{"intelmq", "dho"} {
		out, errOut, err := run(t, "", "normalize", "--input", "../../examples/data/events.jsonl", "--mode", mode)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "normalize-"+mode+".jsonl", out)
		if !strings.Contains(errOut, "line 5: source.ip:") || !strings.Contains(errOut, "300.1.2.3") {
			t.Errorf("stderr does not report the bad line 5: %q", errOut)
		}
		if !strings.Contains(errOut, "5 written, 1 refused") {
			t.Errorf("stderr lacks the summary: %q", errOut)
		}
	}
}

func TestNormalizeErrorsFileAndStrict(t *testing.T) {
	dir := t.TempDir()
	errs := filepath.Join(dir, "errors.jsonl")
	in := `{"__type": "Event", "source.ip": "192.0.2.1"}` + "\n" + `{"__type": "Event", "source.port": "x"}` + "\n"
	out, _, err := run(t, in, "normalize", "--errors", errs, "--strict", "--no-type")
	if err == nil {
		t.Fatal("--strict did not fail")
	}
	if out != `{"source.ip": "192.0.2.1"}`+"\n" {
		t.Errorf("output %q", out)
	}
	data, rerr := os.ReadFile(errs)
	if rerr != nil {
		t.Fatal(rerr)
	}
	var rec struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
		Input string `json:"input"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Line != 2 || !strings.Contains(rec.Error, "source.port") || !strings.Contains(rec.Input, `"x"`) {
		t.Errorf("error record %+v", rec)
	}
}

func TestNormalizeRefusesBadMode(t *testing.T) {
	if _, _, err := run(t, "", "normalize", "--mode", "xml"); err == nil || !strings.Contains(err.Error(), "xml") {
		t.Fatalf("err = %v", err)
	}
}

func TestNodesCommands(t *testing.T) {
	out, _, err := run(t, "", "nodes")
	if err != nil || !strings.Contains(out, "taxonomy") || !strings.Contains(out, "intelmq.bots.experts.taxonomy.expert") {
		t.Fatalf("nodes: %q, %v", out, err)
	}
	out, _, err = run(t, "", "nodes", "show", "intelmq.bots.experts.taxonomy.expert")
	if err != nil || !strings.Contains(out, "Produces: classification.taxonomy") {
		t.Fatalf("nodes show: %q, %v", out, err)
	}
	out, _, err = run(t, "", "nodes", "show", "taxonomy", "--json")
	var spec map[string]any
	if err != nil || json.Unmarshal([]byte(out), &spec) != nil || spec["name"] != "taxonomy" {
		t.Fatalf("nodes show --json: %q, %v", out, err)
	}
	if _, _, err := run(t, "", "nodes", "show", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown node: %v", err)
	}
}
