package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// dropKind drops every event; its second example is wrong on purpose, so
// that the self-test has a failure to report.
const dropKind = "api-test-drop"

func init() {
	topology.Register(topology.Spec{
		Name: dropKind, Kind: topology.KindExpert, Doc: "Drops every event (API test kind; one example is wrong on purpose).",
		Examples: []topology.Example{
			{Name: "drops", Input: map[string]any{"source.ip": "192.0.2.1"}, Output: []map[string]any{}},
			{Name: "wrong on purpose", Input: map[string]any{"source.ip": "192.0.2.1"}, Output: []map[string]any{{"source.ip": "192.0.2.1"}}},
		},
	}, func(topology.Params) (any, error) {
		return topology.ProcessorFunc[dho.Event, dho.Event](func(context.Context, *dho.Event, func(*dho.Event)) error { return nil }), nil
	})
}

// examplesTopology is feed → tag → drop → out: feed is no registered
// kind, tag's example passes, one of drop's fails.
func examplesTopology(top *topology.Topology, f *fixture) {
	events := topology.Source(top, "feed", topology.Collector[dho.Event](f.feed), topology.Produces("source.ip"))
	tagged := topology.MapKind[dho.Event, dho.Event](top, "tag", events, tagKind, map[string]any{"tag": "a"})
	dropped := topology.MapKind[dho.Event, dho.Event](top, "drop", tagged, dropKind, nil)
	topology.Sink(top, "out", dropped, f.out)
}

func TestExamplesSelfTest(t *testing.T) {
	f := startWith(t, examplesTopology)

	// One node whose examples pass.
	code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/tag/tests/examples", "")
	if code != 200 || m["ok"] != true || m["kind"] != tagKind || m["passed"] != 1.0 || m["failed"] != 0.0 {
		t.Fatalf("tag: %d %v", code, m)
	}
	exs := m["examples"].([]any)
	if len(exs) != 1 || exs[0].(map[string]any)["example"] != "prefix and tag" || exs[0].(map[string]any)["ok"] != true {
		t.Fatalf("tag examples: %v", exs)
	}

	// One whose example is wrong: 200, the failure in the body.
	code, m = f.call(t, RoleOperate, "POST", "/api/v1/nodes/drop/tests/examples", "")
	if code != 200 || m["ok"] != false || m["passed"] != 1.0 || m["failed"] != 1.0 {
		t.Fatalf("drop: %d %v", code, m)
	}
	bad := m["examples"].([]any)[1].(map[string]any)
	if bad["example"] != "wrong on purpose" || bad["ok"] != false || !strings.Contains(bad["error"].(string), "0 events out, the example says 1") {
		t.Fatalf("drop's failing example: %v", bad)
	}

	// A node not made from a kind has none: 409.
	if code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/feed/tests/examples", ""); code != http.StatusConflict {
		t.Fatalf("feed: %d %v", code, m)
	}
	if code, m := f.call(t, RoleRead, "POST", "/api/v1/nodes/tag/tests/examples", ""); code != http.StatusForbidden {
		t.Fatalf("as reader: %d %v", code, m)
	}

	// The whole topology: every kind's node, the rest skipped.
	code, m = f.call(t, RoleOperate, "POST", "/api/v1/tests/examples", "")
	if code != 200 || m["ok"] != false {
		t.Fatalf("topology: %d %v", code, m)
	}
	got := map[string]bool{}
	for _, n := range m["nodes"].([]any) {
		n := n.(map[string]any)
		got[n["node"].(string)] = n["ok"].(bool)
	}
	if len(got) != 2 || got["tag"] != true || got["drop"] != false {
		t.Fatalf("topology nodes: %v", got)
	}
	skipped := map[string]bool{}
	for _, s := range m["skipped"].([]any) {
		skipped[s.(map[string]any)["node"].(string)] = true
	}
	if len(skipped) != 2 || !skipped["feed"] || !skipped["out"] {
		t.Fatalf("skipped: %v", m["skipped"])
	}
}

// TestExamplesAllPass: the default fixture's only kind passes, so the
// topology's self-test is ok.
func TestExamplesAllPass(t *testing.T) {
	f := start(t)
	code, m := f.call(t, RoleOperate, "POST", "/api/v1/tests/examples", "")
	if code != 200 || m["ok"] != true || len(m["nodes"].([]any)) != 1 {
		t.Fatalf("%d %v", code, m)
	}
}
