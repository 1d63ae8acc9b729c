package main

import (
	"strings"
	"testing"
)

func TestNodesTest(t *testing.T) {
	out, _, err := run(t, "", "nodes", "test")
	if err != nil || !strings.Contains(out, "PASS  taxonomy: taxonomy from the type") || !strings.Contains(out, ", 0 failed") {
		t.Fatalf("nodes test: %v\n%s", err, out)
	}
	out, _, err = run(t, "", "nodes", "test", "sieve", "--json")
	if err != nil || !strings.Contains(out, `"kind": "sieve"`) {
		t.Fatalf("nodes test sieve --json: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"nodes", "test", "nope"}, {"nodes", "test", "file-output"}} {
		if _, _, err := run(t, "", args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
