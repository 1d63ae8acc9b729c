package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// seenFilter drops events whose source IP it saw before.
type seenFilter struct{ seen *topology.Table[string, bool] }

func (d *seenFilter) Tables() []topology.TableRef { return []topology.TableRef{d.seen} }

func (d *seenFilter) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	ip := e.Source.IP[0]
	if _, ok, err := d.seen.Get(ctx, ip); err != nil || ok {
		return err
	}
	if err := d.seen.Set(ctx, ip, true); err != nil {
		return err
	}
	emit(e)
	return nil
}

// TestStateExportImportRoutes exports a node's state, lets it go on, and
// imports the export into the stopped node: it forgets what came after
// the export and its group goes back to the exported offsets, so those
// records pass again.
func TestStateExportImportRoutes(t *testing.T) {
	f := startWith(t, func(top *topology.Topology, f *fixture) {
		events := topology.Source(top, "feed", topology.Collector[dho.Event](f.feed), topology.Produces("source.ip"))
		kept := topology.Map(top, "seen", events, topology.Processor[dho.Event, dho.Event](&seenFilter{seen: topology.NewTable("seen", topology.StringCodec{}, topology.JSONCodec[bool]{})}))
		topology.Sink(top, "out", kept, f.out)
	})
	const before, after = 80, 10
	f.send(t, before)
	waitFor(t, "events", func() bool {
		st, _ := f.ctl.Status("seen")
		return f.out.distinct() >= before && st.Committed >= before
	})
	if code, _ := f.raw(t, RoleOperate, "GET", "/api/v1/nodes/seen/state/export", ""); code != http.StatusForbidden {
		t.Errorf("export as operator: %d", code)
	}
	if code, m := f.call(t, RoleAdmin, "GET", "/api/v1/nodes/out/state/export", ""); code != http.StatusConflict {
		t.Errorf("export of a node without tables: %d %v", code, m)
	}
	if code, _ := f.call(t, RoleAdmin, "GET", "/api/v1/nodes/nope/state/export", ""); code != http.StatusNotFound {
		t.Errorf("export of an unknown node: %d", code)
	}
	code, export := f.raw(t, RoleAdmin, "GET", "/api/v1/nodes/seen/state/export", "")
	if code != 200 {
		t.Fatalf("export: %d %s", code, export)
	}
	lines := strings.Split(strings.TrimSpace(string(export)), "\n")
	if !strings.Contains(lines[0], `"node":"seen"`) || strings.Count(string(export), `{"table":"seen"`) != before || len(export) <= 4096 {
		t.Fatalf("export (%d bytes): %s", len(export), export)
	}

	f.send(t, after)
	waitFor(t, "more events", func() bool { return f.out.distinct() >= before+after })
	if code, m := f.call(t, RoleAdmin, "POST", "/api/v1/nodes/seen/state/import", string(export)); code != http.StatusConflict || !strings.Contains(m["error"].(string), "stop it first") {
		t.Fatalf("import into a running node: %d %v", code, m)
	}
	if code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/seen/stop", ""); code != 200 {
		t.Fatalf("stop: %d %v", code, m)
	}
	if code, _ := f.call(t, RoleOperate, "POST", "/api/v1/nodes/seen/state/import", string(export)); code != http.StatusForbidden {
		t.Errorf("import as operator: %d", code)
	}
	for _, bad := range []string{"garbage\n", strings.Replace(string(export), `"node":"seen"`, `"node":"out"`, 1), lines[0] + "\n{\"table\":\"seen\"}\n"} {
		if code, m := f.call(t, RoleAdmin, "POST", "/api/v1/nodes/seen/state/import", bad); code != http.StatusBadRequest {
			t.Errorf("import of %.40q: %d %v", bad, code, m)
		}
	}
	code, m := f.call(t, RoleAdmin, "POST", "/api/v1/nodes/seen/state/import", string(export))
	if code != 200 || m["state"] != string(topology.StateStopped) {
		t.Fatalf("import: %d %v", code, m)
	}
	if code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/seen/start", ""); code != 200 {
		t.Fatalf("start: %d %v", code, m)
	}
	// The records after the export pass again (the state forgot them and
	// the offsets went back); the earlier ones do not.
	waitFor(t, "the replay", func() bool {
		f.out.mu.Lock()
		defer f.out.mu.Unlock()
		return len(f.out.events) >= before+2*after
	})
	f.out.mu.Lock()
	defer f.out.mu.Unlock()
	count := map[string]int{}
	for _, e := range f.out.events {
		count[e.Source.IP[0]]++
	}
	for i, e := range f.out.events[:before+after] {
		want := 1
		if i >= before {
			want = 2
		}
		if got := count[e.Source.IP[0]]; got != want {
			t.Errorf("%s came %d times, want %d", e.Source.IP[0], got, want)
		}
	}
}

func TestWorkersRoute(t *testing.T) {
	f := start(t)
	if code, _ := f.call(t, RoleRead, "PUT", "/api/v1/nodes/tag/workers", `{"workers":3}`); code != http.StatusForbidden {
		t.Errorf("as reader: %d", code)
	}
	code, m := f.call(t, RoleOperate, "PUT", "/api/v1/nodes/tag/workers", `{"workers":3}`)
	if code != 200 || m["workers"] != float64(3) || m["state"] != "running" {
		t.Fatalf("scale to 3: %d %v", code, m)
	}
	f.send(t, 100)
	waitFor(t, "100 events", func() bool { return f.out.distinct() >= 100 })
	if code, m := f.call(t, RoleRead, "GET", "/api/v1/nodes/tag", ""); code != 200 || m["workers"] != float64(3) {
		t.Fatalf("status: %d %v", code, m)
	}
	for _, tc := range []struct{ path, body, want string }{
		{"/api/v1/nodes/tag/workers", `{"workers":0}`, "at least 1"},
		{"/api/v1/nodes/tag/workers", `{"workers":4}`, "3 partitions"},
		{"/api/v1/nodes/feed/workers", `{"workers":2}`, "source"},
		{"/api/v1/nodes/tag/workers", `{}`, "workers"},
		{"/api/v1/nodes/tag/workers", `{"workers":"x"}`, "request body"},
	} {
		if code, m := f.call(t, RoleOperate, "PUT", tc.path, tc.body); code != http.StatusBadRequest || !strings.Contains(m["error"].(string), tc.want) {
			t.Errorf("PUT %s %s: %d %v", tc.path, tc.body, code, m)
		}
	}
	if code, _ := f.call(t, RoleOperate, "PUT", "/api/v1/nodes/nope/workers", `{"workers":1}`); code != http.StatusNotFound {
		t.Errorf("unknown node: %d", code)
	}
	if code, m := f.call(t, RoleOperate, "PUT", "/api/v1/nodes/tag/workers", `{"workers":1}`); code != 200 || m["workers"] != float64(1) {
		t.Fatalf("scale to 1: %d %v", code, m)
	}
	f.send(t, 20)
	waitFor(t, "120 events", func() bool { return f.out.distinct() >= 120 })
}
