package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParseRange: any text is a range or an error, and a range's alert
// agrees with its bounds.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10", "10:", "~:10", "10:20", "@10:20", "@~:0", "-1:1e3", ":", "@", "1:2:3"} {
		f.Add(s, 5.0)
	}
	f.Fuzz(func(t *testing.T, s string, v float64) {
		r, err := parseRange(s)
		if err != nil || r == nil || math.IsNaN(v) {
			return
		}
		if r.lo > r.hi {
			t.Fatalf("%q: start %v above end %v", s, r.lo, r.hi)
		}
		in := v >= r.lo && v <= r.hi
		if r.alert(v) != (in == strings.HasPrefix(s, "@")) {
			t.Fatalf("%q: alert(%v) = %v", s, v, r.alert(v))
		}
	})
}

// FuzzImportIntelMQ: any document converts or fails with an error, and
// what comes out is YAML.
func FuzzImportIntelMQ(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "intelmq-runtime.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("global: {}\nb:\n  module: intelmq.bots.experts.taxonomy.expert\n  parameters:\n    destination_queues: [b-queue]\n"))
	f.Add([]byte("a: {module: intelmq.bots.experts.filter.expert, parameters: {destination_queues: {filter_match: [a-queue]}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _, err := importIntelMQ(data, "fuzz", "fuzz.yaml")
		if err != nil {
			return
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("output is no YAML: %v\n%s", err, out)
		}
	})
}
