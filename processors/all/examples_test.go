package all_test

import (
	"context"
	"testing"

	_ "github.com/intelstream/intelstream/processors/all"
	"github.com/intelstream/intelstream/topology"
)

// TestBuiltInExamples runs the built-in examples of every registered node
// kind: each is a self-test an operator can run (intelstream nodes test).
func TestBuiltInExamples(t *testing.T) {
	ran := 0
	for _, s := range topology.Registered() {
		r, _ := topology.Lookup(s.Name)
		for _, res := range r.RunExamples(context.Background()) {
			ran++
			if !res.Passed() {
				t.Errorf("%s, %q: %v", res.Kind, res.Example, res.Err)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no examples")
	}
	t.Logf("%d examples passed", ran)
}

// TestExamplesOfRuleExperts: every expert that needs no data file or
// server ships at least one example.
func TestExamplesOfRuleExperts(t *testing.T) {
	for _, name := range []string{"taxonomy", "url2fqdn", "rfc1918", "remove_affix", "format_field", "field_reducer",
		"filter", "sieve", "templates", "url", "domain_suffix", "grouping"} {
		r, ok := topology.Lookup(name)
		if !ok {
			t.Fatalf("no node kind %s", name)
		}
		if len(r.Spec.Examples) == 0 {
			t.Errorf("%s has no built-in example", name)
		}
	}
}
