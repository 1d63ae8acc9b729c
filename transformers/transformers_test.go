package transformers_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transformers"
	"github.com/intelstream/intelstream/transformers/idea"
	"github.com/intelstream/intelstream/transformers/n6"
)

func TestRecords(t *testing.T) {
	for _, tc := range []struct {
		in    string
		lines []int
		err   bool
	}{
		{"", nil, false},
		{`[{"a":1},{"b":2}]`, []int{1, 2}, false},
		{"{\"a\":1}\n\n{\"b\":2}\nnot json\n", []int{1, 3, 4}, false},
		{"{\n \"a\": 1\n}\n", []int{1}, false},
		{`[{"a":1},`, nil, true},
	} {
		recs, err := transformers.Records([]byte(tc.in))
		if (err != nil) != tc.err {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var lines []int
		for _, r := range recs {
			lines = append(lines, r.Line)
		}
		if len(lines) != len(tc.lines) || (len(lines) > 0 && !equal(lines, tc.lines)) {
			t.Errorf("%q: lines %v, want %v", tc.in, lines, tc.lines)
		}
	}
}

func equal(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 5, 4, 10, 59, 3, 250000000, time.UTC)
	for _, s := range []string{"2024-05-04T10:59:03.25Z", "2024-05-04 10:59:03.25", "2024-05-04t12:59:03.25+02:00", "2024-05-04T10:59:03.250z"} {
		got, err := transformers.ParseTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "2024-05-04", "2024-05-04X10:59:03Z", "yesterday at noon"} {
		if _, err := transformers.ParseTime(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if s := transformers.FormatTime(want); s != "2024-05-04T10:59:03.25Z" {
		t.Errorf("FormatTime: %s", s)
	}
}

func TestValueOfJSON(t *testing.T) {
	v, err := transformers.ValueOfJSON([]byte(`{"a":[1,2.5,"x",true,null,123456789012345678901234567890]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := v.MarshalJSON()
	if string(b) != `{"a": [1, 2.5, "x", true, null, 123456789012345678901234567890]}` {
		t.Errorf("%s", b)
	}
	if _, err := transformers.ValueOfJSON([]byte(`{} x`)); err == nil {
		t.Error("trailing data accepted")
	}
}

// TestParserNode: good records become events with the report's feed
// fields, a bad one is skipped, the others go on.
func TestParserNode(t *testing.T) {
	r, ok := topology.Lookup(n6.ParserName)
	if !ok || r.Spec.Kind != topology.KindParser {
		t.Fatal("n6 parser not registered")
	}
	p, err := r.Spec.Validate(nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := r.New(p)
	if err != nil {
		t.Fatal(err)
	}
	proc := x.(topology.Processor[dho.Report, dho.Event])
	rep := &dho.Report{}
	_ = rep.Set("feed.name", "n6 test")
	_ = rep.Set("time.observation", "2024-05-04T12:00:00+00:00")
	good := `{"id":"0123456789abcdef0123456789abcdef","source":"a.b","restriction":"public","confidence":"low","category":"deface","time":"2024-05-04T10:59:03Z","fqdn":"example.com"}`
	rep.Raw = []byte(good + "\n{\"id\": 1}\n" + strings.Replace(good, "deface", "exposed", 1) + "\n")
	var out []*dho.Event
	if err := proc.Process(context.Background(), rep, func(e *dho.Event) { out = append(out, e) }); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Feed.Name != "n6 test" || out[1].Classification.Type != "potentially-unwanted-accessible" || string(out[0].Raw) != good || out[0].Time.Observation == nil {
		t.Fatalf("%d events: %+v", len(out), out)
	}
	rep.Raw = []byte(`[{"broken"`)
	if err := proc.Process(context.Background(), rep, func(*dho.Event) {}); err == nil {
		t.Error("a report that is no JSON array was accepted")
	}
	if _, err := r.Spec.Validate(map[string]any{"strict": "maybe"}); err == nil {
		t.Error("bad strict accepted")
	}
}

// TestFileOutput: lines are appended and synced; in strict mode a lossy
// event fails on its own and the rest is written.
func TestFileOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	r, ok := topology.Lookup(idea.OutputName)
	if !ok {
		t.Fatal("idea-file not registered")
	}
	p, err := r.Spec.Validate(map[string]any{"path": path, "strict": true})
	if err != nil {
		t.Fatal(err)
	}
	x, err := r.New(p)
	if err != nil {
		t.Fatal(err)
	}
	o := x.(*transformers.FileOutput)
	defer o.Close()
	clean := &dho.Event{}
	_ = clean.Set("classification.type", "scanner")
	_ = clean.Set("source.ip", "192.0.2.1")
	lossy := clean.Clone()
	_ = lossy.Set("tlp", "RED")
	err = o.Write(context.Background(), []*dho.Event{clean, lossy, clean})
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[1] == nil {
		t.Fatalf("Write: %v", err)
	}
	var le *transformers.LossError
	if !errors.As(pe.Failed[1], &le) || !le.Losses.Has("tlp") {
		t.Errorf("failure %v", pe.Failed[1])
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), data)
	}
	for _, l := range lines {
		if _, err := idea.Decode([]byte(l)); err != nil {
			t.Error(err)
		}
	}
	var buf bytes.Buffer
	w := transformers.NewFileOutputWriter(n6.OutputSpec, &buf, n6.AppendJSON, false)
	if err := w.Write(context.Background(), []*dho.Event{lossy}); err != nil || !strings.Contains(buf.String(), `"restriction":"internal"`) {
		t.Errorf("%v %s", err, buf.String())
	}
	if _, err := r.New(topology.Params{"path": filepath.Join(t.TempDir(), "no", "such", "dir", "x"), "strict": false}); err == nil {
		t.Error("unwritable path accepted")
	}
}
