package taxonomy

import (
	"context"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

func TestApply(t *testing.T) {
	tests := []struct{ typ, tax, wantType, wantTax string }{
		{"infected-system", "", "infected-system", "malicious-code"},
		{"scanner", "", "scanner", "information-gathering"},
		{"phishing", "", "phishing", "fraud"},
		{"vulnerable-system", "", "vulnerable-system", "vulnerable"},
		{"undetermined", "", "undetermined", "other"},
		{"", "", "undetermined", "other"},
		{"", "fraud", "undetermined", "fraud"},
		{"scanner", "fraud", "scanner", "fraud"}, // both given: left alone
	}
	for _, tc := range tests {
		e := &dho.Event{Classification: dho.Classification{Type: tc.typ, Taxonomy: tc.tax}}
		var out []*dho.Event
		if err := New().Process(context.Background(), e, func(e *dho.Event) { out = append(out, e) }); err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || out[0].Classification.Type != tc.wantType || out[0].Classification.Taxonomy != tc.wantTax {
			t.Errorf("(%q, %q) -> %+v, want (%q, %q)", tc.typ, tc.tax, out[0].Classification, tc.wantType, tc.wantTax)
		}
		if err := out[0].Validate(); err != nil {
			t.Errorf("result does not validate: %v", err)
		}
	}
}

func TestRegistered(t *testing.T) {
	for _, name := range []string{Name, "intelmq.bots.experts.taxonomy.expert"} {
		r, ok := topology.Lookup(name)
		if !ok {
			t.Fatalf("%s not registered", name)
		}
		p, err := r.Spec.ValidateIntelMQ(map[string]any{"logging_level": "INFO"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if x, err := r.New(p); err != nil || x.(*Expert) == nil {
			t.Fatalf("New: %v %v", x, err)
		}
	}
	if _, err := Spec.Validate(map[string]any{"mapping": "x"}); err == nil {
		t.Error("unknown parameter accepted")
	}
}

func BenchmarkTaxonomy(b *testing.B) {
	x := New()
	e := &dho.Event{}
	emit := func(*dho.Event) {}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		e.Classification = dho.Classification{Type: "infected-system"}
		_ = x.Process(ctx, e, emit)
	}
}
