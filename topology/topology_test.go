package topology

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
)

var update = flag.Bool("update", false, "rewrite golden files")

type parserStub struct{}

func (parserStub) Process(_ context.Context, r *dho.Report, emit func(*dho.Event)) error { return nil }
func (parserStub) Spec() Spec {
	return Spec{Name: "stub-parser", Kind: KindParser, Produces: []string{"source.ip", "time.source", "classification.type"}}
}

type taxonomyStub struct{}

func (taxonomyStub) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	emit(e)
	return nil
}
func (taxonomyStub) Spec() Spec {
	return Spec{Name: "stub-taxonomy", Kind: KindExpert, Requires: []string{"classification.type"}, Produces: []string{"classification.taxonomy"}}
}

var noReports = CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error { return nil })
var discard = OutputFunc[dho.Event](func(context.Context, []*dho.Event) error { return nil })

func sample() *Topology {
	t := New("demo")
	reports := Source(t, "collect", noReports, Produces("feed.name"))
	events := Map(t, "parse", reports, Processor[dho.Report, dho.Event](parserStub{}))
	tax := Map(t, "taxonomy", events, Processor[dho.Event, dho.Event](taxonomyStub{}))
	routes := Branch(t, "route", tax, []Route[dho.Event]{
		{Name: "scanners", Match: func(e *dho.Event) bool { return e.Classification.Type == "scanner" }},
	})
	Sink(t, "scan-file", routes[0], discard, Requires("source.ip"))
	Sink(t, "other-file", routes[1], discard)
	return t
}

func TestValidateGoodTopology(t *testing.T) {
	if err := sample().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name  string
		build func() *Topology
		want  []string
	}{
		{"missing field", func() *Topology {
			t := New("x")
			r := Source(t, "collect", noReports)
			Sink(t, "out", Map(t, "tax", Map(t, "parse", r, Processor[dho.Report, dho.Event](parserStub{})),
				Processor[dho.Event, dho.Event](taxonomyStub{}), Requires("source.asn")), discard)
			return t
		}, []string{`node "tax" requires source.asn`}},
		{"duplicate names", func() *Topology {
			t := New("x")
			r := Source(t, "a", noReports)
			Sink(t, "a", Map(t, "p", r, Processor[dho.Report, dho.Event](parserStub{})), discard)
			return t
		}, []string{`two nodes are named "a"`}},
		{"unconsumed output", func() *Topology {
			t := New("x")
			Map(t, "p", Source(t, "c", noReports), Processor[dho.Report, dho.Event](parserStub{}))
			return t
		}, []string{`node "p": its output is not consumed`}},
		{"unknown field", func() *Topology {
			t := New("x")
			Sink(t, "o", Map(t, "p", Source(t, "c", noReports), Processor[dho.Report, dho.Event](parserStub{}), Produces("source.ipp")), discard)
			return t
		}, []string{`"source.ipp", which is no DHO field`}},
		{"bad names", func() *Topology {
			t := New("Bad Name")
			Sink(t, "O!", Map(t, "p", Source(t, "c", noReports), Processor[dho.Report, dho.Event](parserStub{})), discard)
			return t
		}, []string{`topology name "Bad Name"`, `node name "O!"`}},
		{"foreign stream", func() *Topology {
			other := New("other")
			s := Source(other, "c", noReports)
			t := New("x")
			Sink(t, "o", Map(t, "p", s, Processor[dho.Report, dho.Event](parserStub{})), discard)
			return t
		}, []string{"belongs to another topology"}},
		{"empty", func() *Topology { return New("x") }, []string{"no nodes"}},
		{"cycle", func() *Topology {
			t := New("x")
			r := Source(t, "c", noReports)
			e := Map(t, "p", r, Processor[dho.Report, dho.Event](parserStub{}))
			m := Map(t, "m", e, Processor[dho.Event, dho.Event](taxonomyStub{}))
			Sink(t, "o", m, discard)
			// Wire m's input to its own output: only possible from inside.
			t.index["m"].inputs = append(t.index["m"].inputs, port{n: t.index["m"]})
			return t
		}, []string{"cycle: m → m"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.build().Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestMergeAndFanOut(t *testing.T) {
	top := New("fan")
	r := Source(top, "collect", noReports, Produces("feed.name"))
	e := Map(top, "parse", r, Processor[dho.Report, dho.Event](parserStub{}))
	a := Filter(top, "a", e, func(*dho.Event) bool { return true })
	b := Filter(top, "b", e, func(*dho.Event) bool { return false })
	Sink(top, "out", Merge(top, "both", []Stream[dho.Event]{a, b}), discard, Requires("source.ip", "feed.name", "raw"))
	if err := top.Validate(); err != nil {
		t.Fatal(err)
	}
	d := top.Describe()
	if got := d.Nodes[4].InputTopics; len(got) != 2 || got[0] != "fan.a" || got[1] != "fan.b" {
		t.Errorf("merge inputs %v", got)
	}
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
		t.Errorf("%s differs (go test -update accepts):\n%s", name, got)
	}
}

func TestDescribe(t *testing.T) {
	d := sample().Describe()
	golden(t, "describe.json", d.JSON())
	golden(t, "describe.mmd", d.Mermaid())
	golden(t, "describe.dot", d.DOT())
	if got := sample().Topics(); strings.Join(got, " ") != "demo.collect demo.collect.dlq demo.parse demo.parse.dlq demo.taxonomy demo.taxonomy.dlq demo.route.scanners demo.route.default demo.route.dlq demo.scan-file.dlq demo.other-file.dlq" {
		t.Errorf("Topics() = %v", got)
	}
}

func TestSpecValidate(t *testing.T) {
	spec := Spec{Name: "demo", Params: []Param{
		{Name: "url", Type: ParamString, Required: true},
		{Name: "retries", Type: ParamInt, Default: 3},
		{Name: "ratio", Type: ParamFloat, Default: 0.5},
		{Name: "verify", Type: ParamBool, Default: true},
		{Name: "interval", Type: ParamDuration, Default: "1m"},
		{Name: "columns", Type: ParamStrings, IntelMQ: "columns_list"},
		{Name: "mode", Type: ParamString, Default: "fast", Enum: []string{"fast", "slow"}},
		{Name: "extra", Type: ParamObject},
	}}
	p, err := spec.Validate(map[string]any{"url": "http://x", "retries": 5.0, "verify": "no", "interval": 90, "columns": "a, b,c"})
	if err != nil {
		t.Fatal(err)
	}
	if p.String("url") != "http://x" || p.Int("retries") != 5 || p.Float("ratio") != 0.5 || p.Bool("verify") ||
		p.Duration("interval") != 90*time.Second || strings.Join(p.Strings("columns"), "|") != "a|b|c" || p.String("mode") != "fast" || p.Has("extra") {
		t.Fatalf("params %#v", p)
	}
	_, err = spec.Validate(map[string]any{"retries": "many", "mode": "medium", "bogus": 1, "logging_level": "DEBUG"})
	for _, want := range []string{"parameter url: required", "parameter retries: many", `"medium" is not one of fast, slow`, "parameter bogus: unknown parameter", "parameter logging_level: unknown"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Node != "demo" {
		t.Errorf("not a ParamError: %v", err)
	}
	// IntelMQ's path: its names and generic bot parameters.
	p, err = spec.ValidateIntelMQ(map[string]any{"url": "http://x", "columns_list": []any{"x"}, "logging_level": "DEBUG", "test_mode": true}, nil)
	if err != nil || p.Strings("columns")[0] != "x" {
		t.Fatalf("IntelMQ path: %v %v", p, err)
	}
	if _, err := spec.ValidateIntelMQ(map[string]any{"url": "x", "nonsense": 1}, nil); err == nil {
		t.Error("IntelMQ path accepted an unknown parameter")
	}
}

func TestRegister(t *testing.T) {
	spec := Spec{Name: "test-register-node", Kind: KindExpert, IntelMQ: "intelmq.bots.experts.test_register.expert",
		Params: []Param{{Name: "n", Type: ParamInt, Default: 1}}}
	Register(spec, func(p Params) (any, error) { return p.Int("n"), nil })
	for _, name := range []string{"test-register-node", "intelmq.bots.experts.test_register.expert"} {
		r, ok := Lookup(name)
		if !ok || r.Spec.Name != "test-register-node" {
			t.Fatalf("Lookup(%s) = %v, %v", name, r, ok)
		}
	}
	found := false
	for _, s := range Registered() {
		found = found || s.Name == "test-register-node"
	}
	if !found {
		t.Error("not in Registered()")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("duplicate registration did not panic")
			}
		}()
		Register(spec, func(Params) (any, error) { return nil, nil })
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("bad default did not panic")
			}
		}()
		Register(Spec{Name: "bad-default", Params: []Param{{Name: "n", Type: ParamInt, Default: "x"}}}, func(Params) (any, error) { return nil, nil })
	}()
}

func TestStringListParams(t *testing.T) {
	spec := Spec{Name: "lists", Params: []Param{{Name: "codes", Type: ParamStrings}}}
	for _, tc := range []struct {
		in      any
		want    string
		wantErr string
	}{
		{"200, 301", "200|301", ""},
		{[]any{200.0, 301.0}, "200|301", ""}, // JSON numbers, as IntelMQ writes success_status_codes
		{[]any{"a", 7, int64(8), json.Number("9")}, "a|7|8|9", ""},
		{404.0, "404", ""}, // a bare number
		{[]string{"x"}, "x", ""},
		{[]any{1.5}, "", "item 0: 1.5 (float64) is not a string or a whole number"},
		{[]any{true}, "", "item 0: true (bool) is not a string or a whole number"},
		{2.5, "", "is not a strings"},
	} {
		p, err := spec.Validate(map[string]any{"codes": tc.in})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%#v: error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(p.Strings("codes"), "|") != tc.want {
			t.Errorf("%#v: %v, %v; want %s", tc.in, p.Strings("codes"), err, tc.want)
		}
	}
}
