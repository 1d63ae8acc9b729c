package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// dryNode returns a node's part of a dry-run answer.
func dryNode(t *testing.T, m map[string]any, name string) map[string]any {
	t.Helper()
	for _, n := range m["nodes"].([]any) {
		if n := n.(map[string]any); n["node"] == name {
			return n
		}
	}
	t.Fatalf("no node %s in %v", name, m)
	return nil
}

// TestDryRun runs the fixture's feed → tag → out in memory: with samples
// from the body, and with the inputs of tag's built-in example.
func TestDryRun(t *testing.T) {
	f := start(t)
	// Samples from the body: the second lacks the source.ip tag requires.
	code, m := f.call(t, RoleOperate, "POST", "/api/v1/tests/dryrun",
		`{"samples": {"feed": [{"source.ip": "198.51.100.7"}, {"source.fqdn": "example.org"}]}}`)
	if code != 200 || m["ok"] != false {
		t.Fatalf("dry run: %d %v", code, m)
	}
	feed, tag, out := dryNode(t, m, "feed"), dryNode(t, m, "tag"), dryNode(t, m, "out")
	if feed["samples"] != "request" || len(feed["output"].([]any)) != 2 {
		t.Fatalf("feed: %v", feed)
	}
	if tag["in"] != 2.0 || len(tag["output"].([]any)) != 2 {
		t.Fatalf("tag: %v", tag)
	}
	first := tag["output"].([]any)[0].(map[string]any)
	if first["comment"] != "a" || first["source.ip"] != "198.51.100.7" {
		t.Fatalf("tag's first output: %v", first)
	}
	missing := tag["missing"].([]any)
	if len(missing) != 1 || missing[0].(map[string]any)["record"] != 2.0 || missing[0].(map[string]any)["fields"].([]any)[0] != "source.ip" {
		t.Fatalf("tag missing: %v", tag["missing"])
	}
	if out["in"] != 2.0 || out["missing"] != nil || !strings.Contains(out["note"].(string), "not written") {
		t.Fatalf("out: %v", out)
	}
	// Nothing went through the broker or into the output.
	if st, _ := f.ctl.Status("tag"); st.Received != 0 || f.out.distinct() != 0 {
		t.Fatalf("the dry run reached the running nodes: %+v, %d out", st, f.out.distinct())
	}

	// The runtime parameter in effect is the one the dry run uses.
	if code, m := f.call(t, RoleAdmin, "PUT", "/api/v1/nodes/tag/params", `{"tag": "b"}`); code != 200 {
		t.Fatalf("params: %d %v", code, m)
	}
	// No body: feed's samples are the inputs of tag's built-in example.
	code, m = f.call(t, RoleOperate, "POST", "/api/v1/tests/dryrun", "")
	if code != 200 || m["ok"] != true {
		t.Fatalf("dry run from examples: %d %v", code, m)
	}
	feed, tag, out = dryNode(t, m, "feed"), dryNode(t, m, "tag"), dryNode(t, m, "out")
	if !strings.Contains(feed["samples"].(string), "examples of ["+tagKind+"]") || len(feed["output"].([]any)) != 1 {
		t.Fatalf("feed: %v", feed)
	}
	if got := tag["output"].([]any)[0].(map[string]any); got["comment"] != "b" || got["source.ip"] != "192.0.2.1" {
		t.Fatalf("tag's output: %v", got)
	}
	if out["in"] != 1.0 {
		t.Fatalf("out: %v", out)
	}

	// Bad requests: 400.
	for _, body := range []string{
		`{"samples": {"tag": [{"source.ip": "192.0.2.1"}]}}`,
		`{"samples": {"nope": [{"source.ip": "192.0.2.1"}]}}`,
		`{"samples": {"feed": [{"source.ip": "not an address"}]}}`,
		`{"sample": {}}`,
		`{`,
	} {
		if code, m := f.call(t, RoleOperate, "POST", "/api/v1/tests/dryrun", body); code != http.StatusBadRequest || m["error"] == "" {
			t.Errorf("%s: %d %v", body, code, m)
		}
	}
	if code, _ := f.call(t, RoleRead, "POST", "/api/v1/tests/dryrun", ""); code != http.StatusForbidden {
		t.Fatalf("as reader: %d", code)
	}
}

// TestDryRunRoutes: a route node sends each sample down its branch, and a
// sink checks what reaches it for the fields it requires.
func TestDryRunRoutes(t *testing.T) {
	rest := &memOutput{}
	f := startWith(t, func(top *topology.Topology, f *fixture) {
		events := topology.Source(top, "feed", topology.Collector[dho.Event](f.feed), topology.Produces("source.ip"))
		branches := topology.Branch(top, "split", events, []topology.Route[dho.Event]{
			{Name: "ten", Match: func(e *dho.Event) bool { return len(e.Source.IP) > 0 && strings.HasPrefix(e.Source.IP[0], "10.") }},
		})
		tagged := topology.MapKind[dho.Event, dho.Event](top, "tag", branches[0], tagKind, map[string]any{"tag": "ten"})
		topology.Sink(top, "out", tagged, f.out, topology.Requires("comment"))
		topology.Sink(top, "rest", branches[1], rest, topology.Requires("source.ip"))
	})
	code, m := f.call(t, RoleOperate, "POST", "/api/v1/tests/dryrun",
		`{"samples": {"feed": [{"source.ip": "10.1.2.3"}, {"source.ip": "192.0.2.1"}, {"source.fqdn": "example.org"}, {"source.ip": "10.9.9.9"}]}}`)
	if code != 200 {
		t.Fatalf("%d %v", code, m)
	}
	split := dryNode(t, m, "split")
	if r := split["routed"].(map[string]any); r["ten"] != 2.0 || r["default"] != 2.0 {
		t.Fatalf("split: %v", split)
	}
	if out := dryNode(t, m, "out"); out["in"] != 2.0 || out["missing"] != nil {
		t.Fatalf("out: %v", out)
	}
	// The sample without an address goes the default way and lacks the
	// source.ip rest requires.
	restNode := dryNode(t, m, "rest")
	if restNode["in"] != 2.0 || len(restNode["missing"].([]any)) != 1 || m["ok"] != false {
		t.Fatalf("rest: %v (ok %v)", restNode, m["ok"])
	}
}
