package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/internal/logging"
	"github.com/intelstream/intelstream/topology"
)

// tagKind writes prefix+tag (tag is a runtime parameter) into comment.
const tagKind = "api-test-tag"

type tagger struct {
	mu          sync.Mutex
	tag, prefix string
}

func (x *tagger) Process(_ context.Context, in *dho.Event, emit func(*dho.Event)) error {
	x.mu.Lock()
	c := x.prefix + x.tag
	x.mu.Unlock()
	out := *in
	if err := out.Set("comment", c); err != nil {
		return err
	}
	emit(&out)
	return nil
}

func (x *tagger) SetParams(p topology.Params) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.tag = p.String("tag")
	return nil
}

func init() {
	topology.Register(topology.Spec{
		Name: tagKind, Kind: topology.KindExpert, Doc: "Writes prefix+tag into comment (API test kind).",
		Requires: []string{"source.ip"}, Produces: []string{"comment"},
		Params: []topology.Param{
			{Name: "tag", Type: topology.ParamString, Default: "a", Runtime: true, Doc: "the tag"},
			{Name: "prefix", Type: topology.ParamString, Default: "", Doc: "put before the tag"},
			{Name: "limit", Type: topology.ParamInt, Default: 10, Doc: "an int"},
			{Name: "every", Type: topology.ParamDuration, Default: "30s", Doc: "a duration"},
		},
		Examples: []topology.Example{{Name: "prefix and tag", Params: map[string]any{"tag": "x", "prefix": "p-"},
			Input: map[string]any{"source.ip": "192.0.2.1"}, Output: []map[string]any{{"source.ip": "192.0.2.1", "comment": "p-x"}}}},
	}, func(p topology.Params) (any, error) {
		return &tagger{tag: p.String("tag"), prefix: p.String("prefix")}, nil
	})
}

// feeder emits the events sent on it.
type feeder chan *dho.Event

func (f feeder) Run(ctx context.Context, emit func(*dho.Event) error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-f:
			if err := emit(e); err != nil {
				return err
			}
		}
	}
}

// memOutput collects events.
type memOutput struct {
	mu     sync.Mutex
	events []*dho.Event
}

func (m *memOutput) Write(_ context.Context, batch []*dho.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range batch {
		c := *e
		m.events = append(m.events, &c)
	}
	return nil
}

// stats returns the distinct source addresses and the count per comment.
func (m *memOutput) stats() (int, map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ips, comments := map[string]bool{}, map[string]int{}
	for _, e := range m.events {
		ips[e.Source.IP[0]] = true
		comments[e.Comment]++
	}
	return len(ips), comments
}

func (m *memOutput) distinct() int { n, _ := m.stats(); return n }

// The test tokens, one per role.
var testTokens = map[Role]Token{
	RoleRead:    {Name: "reader", Role: RoleRead, Secret: "read-secret-0123456789"},
	RoleOperate: {Name: "operator", Role: RoleOperate, Secret: "operate-secret-0123456789"},
	RoleAdmin:   {Name: "admin", Role: RoleAdmin, Secret: "admin-secret-0123456789"},
}

// fixture is a topology running on kfake and srfake with its API.
type fixture struct {
	feed feeder
	out  *memOutput
	ctl  *topology.Controller
	srv  *Server
	http *httptest.Server
	next int
}

func start(t *testing.T, extra ...Option) *fixture {
	t.Helper()
	return startWith(t, func(top *topology.Topology, f *fixture) {
		events := topology.Source(top, "feed", topology.Collector[dho.Event](f.feed), topology.Produces("source.ip"))
		tagged := topology.MapKind[dho.Event, dho.Event](top, "tag", events, tagKind, map[string]any{"tag": "a"})
		topology.Sink(top, "out", tagged, f.out, topology.Requires("comment"))
	}, extra...)
}

// startWith runs the topology build makes (with f's feed and output) and
// its API.
func startWith(t *testing.T, build func(*topology.Topology, *fixture), extra ...Option) *fixture {
	t.Helper()
	k := kafkatest.New(t)
	tr, reg := k.Tr, k.Reg
	f := &fixture{feed: make(feeder), out: &memOutput{}, ctl: topology.NewController()}
	top := topology.New("apitest")
	build(top, f)
	if err := top.Validate(); err != nil {
		t.Fatal(err)
	}

	promReg := prometheus.NewRegistry()
	metrics, err := topology.NewMetrics(top, promReg)
	if err != nil {
		t.Fatal(err)
	}
	ann, err := NewAnnouncer(context.Background(), top, tr, "", "http://127.0.0.1:1", "cert@example.org", "test")
	if err != nil {
		t.Fatal(err)
	}
	_, logCtl, err := logging.New(logging.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]Option{Tokens(testTokens[RoleRead], testTokens[RoleOperate], testTokens[RoleAdmin]), Metrics(promReg),
		Version("v0.0.0-test"), MaxBody(4096), Discovery(tr, ""), LogControl(logCtl)}, extra...)
	f.srv, err = New(f.ctl, opts...)
	if err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.srv)
	t.Cleanup(f.http.Close)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.WithController(f.ctl),
			topology.WithHooks(metrics, ann), topology.WithLagInterval(200*time.Millisecond))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if err := ann.Close(); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, "ready", func() bool {
		select {
		case err := <-done:
			t.Fatalf("run ended: %v", err)
		default:
		}
		return f.ctl.Ready()
	})
	return f
}

// send feeds n new events with distinct source addresses.
func (f *fixture) send(t *testing.T, n int) {
	t.Helper()
	for range n {
		e := &dho.Event{}
		if err := e.Set("source.ip", fmt.Sprintf("10.2.%d.%d", f.next/250, f.next%250+1)); err != nil {
			t.Fatal(err)
		}
		f.next++
		f.feed <- e
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends a request with the token of role (RolePublic: none) and
// decodes a JSON answer into a map.
func (f *fixture) call(t *testing.T, role Role, method, path, body string) (int, map[string]any) {
	t.Helper()
	code, b := f.raw(t, role, method, path, body)
	var m map[string]any
	if strings.HasPrefix(strings.TrimSpace(string(b)), "{") {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return code, m
}

func (f *fixture) raw(t *testing.T, role Role, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.http.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := testTokens[role]; ok {
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (f *fixture) state(t *testing.T, node string) string {
	t.Helper()
	code, m := f.call(t, RoleRead, "GET", "/api/v1/nodes/"+node, "")
	if code != 200 {
		t.Fatalf("status of %s: %d %v", node, code, m)
	}
	return m["state"].(string)
}

// validBodies are request bodies the routes with one accept (default: a
// parameter change of the tag node).
var validBodies = map[string]string{
	"PUT /api/v1/log":                  `{"level": "info"}`,
	"POST /api/v1/tests/dryrun":        `{"samples": {"feed": [{"source.ip": "192.0.2.9"}]}}`,
	"PUT /api/v1/nodes/{name}/workers": `{"workers": 1}`,
}

// TestEveryRouteEveryRole calls every route of the table with no token, a
// wrong token and each role's token, on an unknown node where the route
// takes one, and checks authentication and authorization; errors are JSON.
func TestEveryRouteEveryRole(t *testing.T) {
	f := start(t)
	for _, rt := range f.srv.routes {
		path := strings.ReplaceAll(docPath(rt.path), "{name}", "nope")
		isTopologyAction := strings.HasPrefix(rt.path, "/api/v1/topology/")
		for _, caller := range []Role{RolePublic, RoleRead, RoleOperate, RoleAdmin, -1} {
			if isTopologyAction && caller >= rt.role {
				continue // acts on every node: TestTopologyActions
			}
			t.Run(fmt.Sprintf("%s %s as %s", rt.method, rt.path, caller), func(t *testing.T) {
				var body string
				if rt.body != nil {
					body = validBodies[rt.method+" "+rt.path]
					if body == "" {
						body = `{"tag": "z"}`
					}
				}
				var code int
				var m map[string]any
				if caller == -1 {
					req, _ := http.NewRequest(rt.method, f.http.URL+path, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer not-a-token")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					code = resp.StatusCode
					_ = json.NewDecoder(resp.Body).Decode(&m)
					resp.Body.Close()
					if rt.role != RolePublic && code != http.StatusUnauthorized {
						t.Fatalf("bad token: %d", code)
					}
					return
				}
				code, m = f.call(t, caller, rt.method, path, body)
				switch {
				case rt.role == RolePublic:
					if code != 200 {
						t.Fatalf("public route: %d %v", code, m)
					}
				case caller == RolePublic:
					if code != http.StatusUnauthorized || m["error"] == "" {
						t.Fatalf("without a token: %d %v", code, m)
					}
				case caller < rt.role:
					if code != http.StatusForbidden || !strings.Contains(m["error"].(string), "needs "+rt.role.String()) {
						t.Fatalf("role %s: %d %v", caller, code, m)
					}
				case strings.Contains(rt.path, "{name}"):
					if code != http.StatusNotFound || !strings.Contains(m["error"].(string), `unknown node "nope"`) || m["node"] != "nope" {
						t.Fatalf("unknown node: %d %v", code, m)
					}
				default:
					if code != 200 {
						t.Fatalf("role %s: %d %v", caller, code, m)
					}
				}
			})
		}
	}
}

func TestTopologyActions(t *testing.T) {
	f := start(t)
	for _, a := range []struct {
		action string
		state  string
	}{{"pause", "paused"}, {"resume", "running"}, {"stop", "stopped"}, {"start", "running"}, {"restart", "running"}, {"reload", "running"}} {
		role := RoleOperate
		if a.action == "reload" {
			role = RoleAdmin
		}
		code, _ := f.call(t, role, "POST", "/api/v1/topology/"+a.action, "")
		if code != 200 {
			t.Fatalf("%s: %d", a.action, code)
		}
		for _, node := range []string{"feed", "tag", "out"} {
			waitFor(t, node+" "+a.state, func() bool { return f.state(t, node) == a.state })
		}
	}
	f.send(t, 5)
	waitFor(t, "5 events after the actions", func() bool { return f.out.distinct() == 5 })
}

// TestPauseHoldsRecordsResumeDrains: paused, the node's input stays in the
// broker (nothing received, nothing committed); resumed, it all comes.
func TestPauseHoldsRecordsResumeDrains(t *testing.T) {
	f := start(t)
	f.send(t, 10)
	waitFor(t, "10 events", func() bool { return f.out.distinct() == 10 })
	if code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/tag/pause", ""); code != 200 || m["state"] != "paused" {
		t.Fatalf("pause: %d %v", code, m)
	}
	f.send(t, 40)
	waitFor(t, "40 more in the broker", func() bool {
		_, m := f.call(t, RoleRead, "GET", "/api/v1/nodes/feed", "")
		return m["produced"].(float64) == 50
	})
	time.Sleep(300 * time.Millisecond) // what a running node would need to take them
	_, m := f.call(t, RoleRead, "GET", "/api/v1/nodes/tag", "")
	if m["received"].(float64) != 10 || m["committed"].(float64) != 10 || f.out.distinct() != 10 {
		t.Fatalf("a paused node took records: %v, %d out", m, f.out.distinct())
	}
	if code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/tag/resume", ""); code != 200 || m["state"] != "running" {
		t.Fatalf("resume: %d %v", code, m)
	}
	waitFor(t, "50 events after resume", func() bool { return f.out.distinct() == 50 })
}

// TestParamsChangeBehaviourWithoutLoss changes a runtime parameter and a
// restart parameter through the API while records flow.
func TestParamsChangeBehaviourWithoutLoss(t *testing.T) {
	f := start(t)
	code, m := f.call(t, RoleRead, "GET", "/api/v1/nodes/tag/params", "")
	if code != 200 || m["kind"] != tagKind {
		t.Fatalf("GET params: %d %v", code, m)
	}
	if v := m["values"].(map[string]any); v["tag"] != "a" || v["limit"].(float64) != 10 || v["every"] != "30s" {
		t.Fatalf("values: %v", v)
	}
	f.send(t, 20)
	code, m = f.call(t, RoleAdmin, "PUT", "/api/v1/nodes/tag/params", `{"tag": "b"}`)
	if code != 200 || m["change"] != string(topology.ParamsApplied) {
		t.Fatalf("PUT tag: %d %v", code, m)
	}
	f.send(t, 20)
	waitFor(t, "events tagged b", func() bool { _, c := f.out.stats(); return c["b"] > 0 })
	f.send(t, 20)
	code, m = f.call(t, RoleAdmin, "PUT", "/api/v1/nodes/tag/params", `{"prefix": "p-", "every": "1m"}`)
	if code != 200 || m["change"] != string(topology.ParamsRestarted) {
		t.Fatalf("PUT prefix: %d %v", code, m)
	}
	f.send(t, 20)
	waitFor(t, "80 distinct events", func() bool { return f.out.distinct() == 80 })
	waitFor(t, "events tagged p-b", func() bool { _, c := f.out.stats(); return c["p-b"] > 0 })
	_, c := f.out.stats()
	if c["a"]+c["b"]+c["p-b"] < 80 {
		t.Fatalf("comments %v", c)
	}

	// Bad requests: a 4xx with a JSON error, and nothing changed.
	big := `{"tag": "` + strings.Repeat("x", 5000) + `"}`
	for _, tc := range []struct {
		name, path, body string
		code             int
		param            string
	}{
		{"bad int", "/api/v1/nodes/tag/params", `{"limit": "many"}`, 400, "limit"},
		{"bad duration", "/api/v1/nodes/tag/params", `{"every": "soon", "tag": "c"}`, 400, "every"},
		{"unknown parameter", "/api/v1/nodes/tag/params", `{"colour": "red"}`, 400, "colour"},
		{"not an object", "/api/v1/nodes/tag/params", `[1, 2]`, 400, ""},
		{"not JSON", "/api/v1/nodes/tag/params", `{"tag": `, 400, ""},
		{"two values", "/api/v1/nodes/tag/params", `{"tag": "c"} {}`, 400, ""},
		{"null", "/api/v1/nodes/tag/params", `null`, 400, ""},
		{"oversized", "/api/v1/nodes/tag/params", big, 413, ""},
		{"unknown node", "/api/v1/nodes/nope/params", `{"tag": "c"}`, 404, ""},
		{"node without kind", "/api/v1/nodes/out/params", `{"tag": "c"}`, 409, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, m := f.call(t, RoleAdmin, "PUT", tc.path, tc.body)
			if code != tc.code || m["error"] == nil || m["error"] == "" {
				t.Fatalf("%d %v, want %d", code, m, tc.code)
			}
			if tc.param != "" && (m["param"] != tc.param || !strings.Contains(m["error"].(string), tc.param)) {
				t.Fatalf("error does not name %s: %v", tc.param, m)
			}
		})
	}
	_, m = f.call(t, RoleRead, "GET", "/api/v1/nodes/tag/params", "")
	if v := m["values"].(map[string]any); v["tag"] != "b" || v["prefix"] != "p-" || v["limit"].(float64) != 10 || v["every"] != "1m0s" {
		t.Fatalf("values after bad requests: %v", v)
	}
	if code, m := f.call(t, RoleAdmin, "POST", "/api/v1/nodes/nope/restart", strings.Repeat("x", 5000)); code != 404 && code != 413 {
		t.Fatalf("restart unknown node: %d %v", code, m)
	}
}

func TestReadEndpoints(t *testing.T) {
	f := start(t)
	f.send(t, 3)
	waitFor(t, "3 events", func() bool { return f.out.distinct() == 3 })

	code, m := f.call(t, RoleRead, "GET", "/api/v1/nodes/tag/meta", "")
	if code != 200 || m["version"] != "v0.0.0-test" || m["node_kind"] != tagKind || m["dead_letter_topic"] != "apitest.tag.dlq" {
		t.Fatalf("meta: %d %v", code, m)
	}
	ids := m["schema_ids"].(map[string]any)
	if ids["apitest.tag"] == nil || ids["apitest.feed"] == nil {
		t.Fatalf("schema ids: %v", ids)
	}
	if fmt.Sprint(m["requires"]) != "[source.ip]" || fmt.Sprint(m["input_topics"]) != "[apitest.feed]" {
		t.Fatalf("meta fields/topics: %v", m)
	}

	code, m = f.call(t, RoleAdmin, "GET", "/api/v1/nodes/tag/state", "")
	if code != 200 || m["state_error"] != "node tag keeps no tables" || m["dead_letters"].(map[string]any)["count"].(float64) != 0 {
		t.Fatalf("state: %d %v", code, m)
	}
	code, m = f.call(t, RoleRead, "GET", "/api/v1/nodes/out/dlq", "")
	if code != 200 || m["topic"] != "apitest.out.dlq" {
		t.Fatalf("dlq: %d %v", code, m)
	}
	for _, test := range []string{"/api/v1/tests/config", "/api/v1/tests/connection", "/api/v1/nodes/tag/tests/config"} {
		code, m = f.call(t, RoleRead, "POST", test, "")
		if code != 200 || m["ok"] != true {
			t.Fatalf("%s: %d %v", test, code, m)
		}
	}
	code, m = f.call(t, RoleRead, "GET", "/api/v1/topology", "")
	if code != 200 || len(m["nodes"].([]any)) != 3 || m["graph"].(map[string]any)["name"] != "apitest" {
		t.Fatalf("topology: %d %v", code, m)
	}
	code, b := f.raw(t, RoleRead, "GET", "/metrics", "")
	if code != 200 || !bytes.Contains(b, []byte(`intelstream_records_received_total{node="tag",topology="apitest"} 3`)) {
		t.Fatalf("metrics: %d %s", code, b)
	}
	if code, m := f.call(t, RolePublic, "GET", "/readyz", ""); code != 200 || m["status"] != "ready" {
		t.Fatalf("readyz: %d %v", code, m)
	}
	if code, m := f.call(t, RolePublic, "GET", "/no/such/route", ""); code != 404 || m["error"] == nil {
		t.Fatalf("unknown route: %d %v", code, m)
	}
	if code, m := f.call(t, RoleAdmin, "DELETE", "/api/v1/nodes/tag", ""); code != 405 || m["error"] == nil {
		t.Fatalf("wrong method: %d %v", code, m)
	}
	// Stopped, the node is not ready.
	if code, _ := f.call(t, RoleOperate, "POST", "/api/v1/nodes/out/stop", ""); code != 200 {
		t.Fatal(code)
	}
	if code, m := f.call(t, RolePublic, "GET", "/readyz", ""); code != 503 || m["status"] != "not ready" {
		t.Fatalf("readyz with a stopped node: %d %v", code, m)
	}
}

func TestDiscovery(t *testing.T) {
	f := start(t)
	var list []Announcement
	waitFor(t, "3 nodes announced", func() bool {
		code, b := f.raw(t, RoleRead, "GET", "/api/v1/discovery", "")
		list = nil
		return code == 200 && json.Unmarshal(b, &list) == nil && len(list) == 3
	})
	if a := list[1]; a.Topology != "apitest" || a.Node != "out" || a.Contact != "cert@example.org" || a.API != "http://127.0.0.1:1" ||
		fmt.Sprint(a.InputTopics) != "[apitest.tag]" {
		t.Fatalf("announcement: %+v", a)
	}
	// A stopped node is gone from the registry.
	if code, _ := f.call(t, RoleOperate, "POST", "/api/v1/nodes/out/stop", ""); code != 200 {
		t.Fatal(code)
	}
	waitFor(t, "out gone", func() bool {
		_, b := f.raw(t, RoleRead, "GET", "/api/v1/discovery", "")
		list = nil
		return json.Unmarshal(b, &list) == nil && len(list) == 2
	})
}

func TestParseToken(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Token
		err  string
	}{
		{"ops:operate:0123456789abcdef", Token{Name: "ops", Role: RoleOperate, Secret: "0123456789abcdef"}, ""},
		{"a:admin:with:colons-0123456789", Token{Name: "a", Role: RoleAdmin, Secret: "with:colons-0123456789"}, ""},
		{"ops:root:0123456789abcdef", Token{}, `role "root"`},
		{"ops:read:short", Token{}, "shorter than 16"},
		{"ops", Token{}, "NAME:ROLE:SECRET"},
	} {
		got, err := ParseToken(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseToken(%q): %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseToken(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
