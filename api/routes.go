package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// route is one endpoint: the router and the OpenAPI document are both made
// from the route table.
type route struct {
	method, path string
	summary      string
	role         Role
	tag          string
	body         map[string]any // request body schema (nil: none)
	bodyOptional bool           // the body may be left out
	resp         map[string]any // 200 response schema
	respType     string         // 200 content type (default application/json)
	handle       func(*http.Request) (any, error)
	raw          http.HandlerFunc
	bodyType     string // request body content type (default application/json)
	maxBody      int64  // a larger body limit than the server's, for this route
	conflict     string // what a 409 means for a route with a body
}

// The actions on nodes and their roles.
var actions = []struct {
	name string
	role Role
	doc  string
}{
	{"pause", RoleOperate, "stop polling; input stays in the broker"},
	{"resume", RoleOperate, "poll again, draining what piled up"},
	{"stop", RoleOperate, "finish and commit the batch in hand, leave the consumer group"},
	{"start", RoleOperate, "run a stopped node again from its committed offsets"},
	{"restart", RoleOperate, "stop and start with new clients"},
	{"reload", RoleAdmin, "reread data or configuration (rebuild from parameters)"},
}

func (s *Server) routeTable() []route {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	list := func(item map[string]any) map[string]any { return map[string]any{"type": "array", "items": item} }
	rs := []route{
		{method: "GET", path: "/healthz", summary: "Liveness: the process serves requests", role: RolePublic, tag: "health", resp: ref("Health"),
			handle: func(*http.Request) (any, error) { return map[string]any{"status": "ok"}, nil }},
		{method: "GET", path: "/readyz", summary: "Readiness: the topology runs and every node is running or paused", role: RolePublic, tag: "health", resp: ref("Health"), raw: s.readyz},
		{method: "GET", path: "/metrics", summary: "Prometheus metrics of the nodes and Kafka clients", role: RoleRead, tag: "health", respType: "text/plain", raw: s.metrics},
		{method: "GET", path: "/openapi.json", summary: "This API as an OpenAPI 3.1 document", role: RolePublic, tag: "meta", resp: map[string]any{"type": "object"}, raw: s.openapi},
		{method: "GET", path: "/{$}", summary: "The web console", role: RolePublic, tag: "meta", respType: "text/html", raw: s.console},
		{method: "GET", path: "/api/v1/topology", summary: "The graph and the status of every node", role: RoleRead, tag: "topology", resp: ref("TopologyStatus"), handle: s.topologyStatus},
		{method: "GET", path: "/api/v1/discovery", summary: "Nodes announced on the registry topic (all processes)", role: RoleRead, tag: "topology", resp: list(ref("Announcement")), handle: s.discovery},
		{method: "POST", path: "/api/v1/tests/config", summary: "Config test: the topology and every node's parameters validate", role: RoleRead, tag: "tests", resp: ref("TestResult"), handle: s.configTest},
		{method: "POST", path: "/api/v1/tests/connection", summary: "Connection test: the broker and the schema registry answer", role: RoleRead, tag: "tests", resp: ref("TestResult"), handle: s.connectionTest},
		{method: "GET", path: "/api/v1/nodes", summary: "The status of every node", role: RoleRead, tag: "nodes", resp: list(ref("NodeStatus")), handle: s.nodeList},
		{method: "GET", path: "/api/v1/nodes/{name}", summary: "A node's status", role: RoleRead, tag: "nodes", resp: ref("NodeStatus"), handle: s.nodeStatus},
		{method: "GET", path: "/api/v1/nodes/{name}/meta", summary: "A node's version, kind, fields, topics and schema ids", role: RoleRead, tag: "nodes", resp: ref("NodeMeta"), handle: s.nodeMeta},
		{method: "GET", path: "/api/v1/nodes/{name}/params", summary: "A node's parameters", role: RoleRead, tag: "params", resp: ref("NodeParams"), handle: s.getParams},
		{method: "PUT", path: "/api/v1/nodes/{name}/params", summary: "Change parameters (runtime ones in place, others by rebuild and restart); nothing changes on error", role: RoleAdmin, tag: "params",
			body: ref("ParamValues"), resp: ref("ParamChange"), handle: s.putParams},
		{method: "GET", path: "/api/v1/nodes/{name}/state", summary: "A node's table entries and dead-letter count", role: RoleAdmin, tag: "nodes", resp: ref("NodeState"), handle: s.nodeState},
		{method: "GET", path: "/api/v1/nodes/{name}/state/export", summary: "Export a node's state (tables and consumer group offsets) as JSON lines, for state import elsewhere (stop the node first for a consistent copy)",
			role: RoleAdmin, tag: "nodes", respType: "application/x-ndjson", raw: s.stateExport},
		{method: "POST", path: "/api/v1/nodes/{name}/state/import", summary: "Import a state written by state export into the node's changelogs and consumer group; the node must be stopped (409 otherwise); start it to restore",
			role: RoleAdmin, tag: "nodes", body: map[string]any{"type": "string", "description": "JSON lines as written by state export"}, bodyType: "application/x-ndjson",
			maxBody: maxStateImport, conflict: "The node is running (stop it first) or its consumer group has members elsewhere", resp: ref("NodeStatus"), handle: s.stateImport},
		{method: "PUT", path: "/api/v1/nodes/{name}/workers", summary: "Run this many members of a consuming node's group in this process (1 to its input partitions; nodes with tables only with memory state); 400 names the reason",
			role: RoleOperate, tag: "actions", body: ref("Workers"), conflict: "-", resp: ref("NodeStatus"), handle: s.putWorkers},
		{method: "GET", path: "/api/v1/nodes/{name}/dlq", summary: "A node's dead-letter count", role: RoleRead, tag: "nodes", resp: ref("DeadLetters"), handle: s.nodeDLQ},
		{method: "GET", path: "/api/v1/log", summary: "The process's log level and destination", role: RoleAdmin, tag: "logging", resp: ref("LogSettings"), handle: s.getLog},
		{method: "PUT", path: "/api/v1/log", summary: "Set the log level (debug, info, warn, error) and destination (stderr, stdout, file:PATH, syslog, syslog://HOST:PORT, syslog+tcp://HOST:PORT, syslog+unix://PATH); nothing changes on error", role: RoleAdmin, tag: "logging",
			body: ref("LogSettings"), resp: ref("LogSettings"), handle: s.putLog},
		{method: "POST", path: "/api/v1/tests/dryrun", summary: "Dry run: sample records (from the body, or the inputs of the examples of the kinds reading from each source) pushed through the graph in memory, without the broker; each node's output and the required fields its input lacked (sinks are not written to)",
			role: RoleOperate, tag: "tests", body: ref("DryRunRequest"), bodyOptional: true, resp: ref("DryRunResult"), handle: s.dryRun},
		{method: "POST", path: "/api/v1/tests/examples", summary: "Self-test: every node kind's built-in examples run in this process (nodes not made from a registered kind are skipped)", role: RoleOperate, tag: "tests", resp: ref("TopologyExamples"), handle: s.examplesTest},
		{method: "POST", path: "/api/v1/nodes/{name}/tests/examples", summary: "Self-test: the node kind's built-in examples run in this process", role: RoleOperate, tag: "tests", resp: ref("NodeExamples"), handle: s.nodeExamplesTest},
		{method: "POST", path: "/api/v1/nodes/{name}/tests/config", summary: "Config test of one node", role: RoleRead, tag: "tests", resp: ref("TestResult"), handle: s.nodeConfigTest},
	}
	for _, a := range actions {
		rs = append(rs,
			route{method: "POST", path: "/api/v1/nodes/{name}/" + a.name, summary: "Node " + a.name + ": " + a.doc, role: a.role, tag: "actions", resp: ref("NodeStatus"), handle: s.nodeAction(a.name)},
			route{method: "POST", path: "/api/v1/topology/" + a.name, summary: "Every node: " + a.doc, role: a.role, tag: "actions", resp: list(ref("NodeStatus")), handle: s.topologyAction(a.name)},
		)
	}
	return rs
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ctl.Ready() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.gatherer == nil {
		s.writeError(w, r, errorf(http.StatusNotFound, "no metrics registry configured"))
		return
	}
	promHandler(s.gatherer).ServeHTTP(w, r)
}

// TopologyStatus is the answer of GET /api/v1/topology.
type TopologyStatus struct {
	Graph topology.Description  `json:"graph"`
	Nodes []topology.NodeStatus `json:"nodes"`
}

func (s *Server) top() (*topology.Topology, error) {
	t := s.ctl.Topology()
	if t == nil {
		return nil, topology.ErrNotRunning
	}
	return t, nil
}

func (s *Server) topologyStatus(r *http.Request) (any, error) {
	t, err := s.top()
	if err != nil {
		return nil, err
	}
	nodes, err := s.statuses()
	if err != nil {
		return nil, err
	}
	return TopologyStatus{Graph: t.Describe(), Nodes: nodes}, nil
}

func (s *Server) statuses() ([]topology.NodeStatus, error) {
	names := s.ctl.Nodes()
	if names == nil {
		return nil, topology.ErrNotRunning
	}
	out := make([]topology.NodeStatus, 0, len(names))
	for _, n := range names {
		st, err := s.ctl.Status(n)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Server) nodeList(r *http.Request) (any, error) { return s.statuses() }

func (s *Server) nodeStatus(r *http.Request) (any, error) { return s.ctl.Status(r.PathValue("name")) }

func (s *Server) nodeAction(action string) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		name := r.PathValue("name")
		if err := s.act(r.Context(), action, name); err != nil {
			return nil, err
		}
		return s.ctl.Status(name)
	}
}

func (s *Server) topologyAction(action string) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		var errs []error
		for _, name := range s.ctl.Nodes() {
			errs = append(errs, s.act(r.Context(), action, name))
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		return s.statuses()
	}
}

func (s *Server) act(ctx context.Context, action, name string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch action {
	case "pause":
		return s.ctl.Pause(name)
	case "resume":
		return s.ctl.Resume(name)
	case "stop":
		return s.ctl.Stop(ctx, name)
	case "start":
		return s.ctl.Start(name)
	case "restart":
		return s.ctl.Restart(ctx, name)
	case "reload":
		return s.ctl.Reload(ctx, name)
	}
	return errorf(http.StatusNotFound, "no action %q", action)
}

// NodeParams is a node's kind, parameter declarations and current values.
type NodeParams struct {
	Node   string           `json:"node"`
	Kind   string           `json:"kind"`
	Params []topology.Param `json:"params"`
	Values map[string]any   `json:"values"`
}

func (s *Server) getParams(r *http.Request) (any, error) {
	name := r.PathValue("name")
	spec, p, err := s.ctl.ParamsOf(name)
	if err != nil {
		return nil, err
	}
	return NodeParams{Node: name, Kind: spec.Name, Params: spec.Params, Values: jsonParams(p)}, nil
}

// jsonParams writes durations as Go duration strings ("30s"), the form
// PUT accepts back.
func jsonParams(p topology.Params) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		out[k] = v
	}
	return out
}

func (s *Server) putParams(r *http.Request) (any, error) {
	name := r.PathValue("name")
	var raw map[string]any
	if err := decodeBody(r, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errorf(http.StatusBadRequest, "request body: want a JSON object of parameter values")
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	change, err := s.ctl.SetParams(ctx, name, raw)
	if err != nil {
		return nil, err
	}
	_, p, err := s.ctl.ParamsOf(name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"node": name, "change": change, "values": jsonParams(p)}, nil
}

// NodeMeta is what GET /api/v1/nodes/{name}/meta answers.
type NodeMeta struct {
	Name          string         `json:"name"`
	Version       string         `json:"version"`
	Kind          topology.Kind  `json:"kind"`
	NodeKind      string         `json:"node_kind,omitempty"`
	Doc           string         `json:"doc,omitempty"`
	IntelMQ       string         `json:"intelmq,omitempty"`
	Requires      []string       `json:"requires"`
	Produces      []string       `json:"produces"`
	InputTopics   []string       `json:"input_topics"`
	OutputTopics  []string       `json:"output_topics"`
	DeadLetter    string         `json:"dead_letter_topic"`
	ConsumerGroup string         `json:"consumer_group,omitempty"`
	SchemaIDs     map[string]int `json:"schema_ids"`
}

func (s *Server) describeNode(name string) (topology.NodeDescription, error) {
	t, err := s.top()
	if err != nil {
		return topology.NodeDescription{}, err
	}
	if _, err := s.ctl.Status(name); err != nil {
		return topology.NodeDescription{}, err
	}
	for _, nd := range t.Describe().Nodes {
		if nd.Name == name {
			return nd, nil
		}
	}
	return topology.NodeDescription{}, fmt.Errorf("%w %q", topology.ErrUnknownNode, name)
}

func (s *Server) nodeMeta(r *http.Request) (any, error) {
	name := r.PathValue("name")
	nd, err := s.describeNode(name)
	if err != nil {
		return nil, err
	}
	m := NodeMeta{Name: name, Version: s.version, Kind: nd.Kind, Requires: nonNil(nd.Requires), Produces: nonNil(nd.Produces),
		InputTopics: nonNil(nd.InputTopics), OutputTopics: nonNil(nd.OutputTopics), DeadLetter: nd.DeadLetter, ConsumerGroup: nd.ConsumerGroup,
		SchemaIDs: map[string]int{}}
	if spec, _, err := s.ctl.ParamsOf(name); err == nil {
		m.NodeKind, m.Doc, m.IntelMQ = spec.Name, spec.Doc, spec.IntelMQ
	}
	if _, reg := s.ctl.Transport(); reg != nil {
		for _, topic := range append(slicesClone(nd.InputTopics), nd.OutputTopics...) {
			v, err := reg.Get(r.Context(), topic+"-value", -1)
			if err == nil {
				m.SchemaIDs[topic] = v.ID
			}
		}
	}
	return m, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// NodeStateAnswer is what GET /api/v1/nodes/{name}/state answers.
type NodeStateAnswer struct {
	Node        string                `json:"node"`
	Entries     []topology.StateEntry `json:"entries"`
	StateError  string                `json:"state_error,omitempty"` // e.g. the node keeps no tables
	DeadLetters DeadLetters           `json:"dead_letters"`
}

// DeadLetters is a node's dead-letter count.
type DeadLetters struct {
	Topic string `json:"topic"`
	Count int64  `json:"count"`
	// FailedThisRun is what the node sent there since this process started.
	FailedThisRun int64 `json:"failed_this_run"`
}

// maxStateEntries bounds the entries one state answer holds.
const maxStateEntries = 10000

func (s *Server) nodeState(r *http.Request) (any, error) {
	name := r.PathValue("name")
	dl, err := s.deadLetters(r.Context(), name)
	if err != nil {
		return nil, err
	}
	ans := NodeStateAnswer{Node: name, Entries: []topology.StateEntry{}, DeadLetters: dl}
	errFull := errors.New("full")
	err = s.ctl.DumpState(r.Context(), name, func(e topology.StateEntry) error {
		if len(ans.Entries) >= maxStateEntries {
			return errFull
		}
		ans.Entries = append(ans.Entries, e)
		return nil
	})
	switch {
	case errors.Is(err, errFull):
		ans.StateError = fmt.Sprintf("more than %d entries: the first %d shown", maxStateEntries, maxStateEntries)
	case err != nil:
		ans.StateError = err.Error()
	}
	return ans, nil
}

func (s *Server) deadLetters(ctx context.Context, name string) (DeadLetters, error) {
	st, err := s.ctl.Status(name)
	if err != nil {
		return DeadLetters{}, err
	}
	topic, n, err := s.ctl.DeadLetterCount(ctx, name)
	if err != nil {
		return DeadLetters{}, err
	}
	return DeadLetters{Topic: topic, Count: n, FailedThisRun: st.Failed}, nil
}

func (s *Server) nodeDLQ(r *http.Request) (any, error) {
	return s.deadLetters(r.Context(), r.PathValue("name"))
}

// TestResult is the answer of a self-test.
type TestResult struct {
	OK     bool        `json:"ok"`
	Checks []TestCheck `json:"checks"`
}

// TestCheck is one check of a self-test.
type TestCheck struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	Took  string `json:"took"`
}

func (tr *TestResult) check(name string, fn func() error) {
	start := time.Now()
	err := fn()
	c := TestCheck{Name: name, OK: err == nil, Took: time.Since(start).Round(time.Microsecond).String()}
	if err != nil {
		c.Error = err.Error()
	}
	tr.Checks = append(tr.Checks, c)
	tr.OK = tr.OK && c.OK
}

func (s *Server) configTest(r *http.Request) (any, error) {
	t, err := s.top()
	if err != nil {
		return nil, err
	}
	res := &TestResult{OK: true}
	res.check("topology", t.Validate)
	for _, name := range s.ctl.Nodes() {
		s.nodeConfigCheck(res, name)
	}
	return res, nil
}

func (s *Server) nodeConfigTest(r *http.Request) (any, error) {
	name := r.PathValue("name")
	if _, err := s.ctl.Status(name); err != nil {
		return nil, err
	}
	res := &TestResult{OK: true}
	s.nodeConfigCheck(res, name)
	return res, nil
}

// nodeConfigCheck validates a node's current parameters against its
// spec again (a node not made from a registered kind has none to check).
func (s *Server) nodeConfigCheck(res *TestResult, name string) {
	res.check("node "+name+" parameters", func() error {
		spec, p, err := s.ctl.ParamsOf(name)
		if errors.Is(err, topology.ErrNoParams) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = spec.Validate(jsonParams(p))
		return err
	})
}

func (s *Server) connectionTest(r *http.Request) (any, error) {
	t, err := s.top()
	if err != nil {
		return nil, err
	}
	tr, reg := s.ctl.Transport()
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	res := &TestResult{OK: true}
	res.check("broker", func() error {
		pr, ok := tr.(interface {
			PartitionCount(context.Context, string) (int32, error)
		})
		if !ok {
			return fmt.Errorf("the transport %T cannot be asked for metadata", tr)
		}
		topics := t.Topics()
		if len(topics) == 0 {
			return nil
		}
		n, err := pr.PartitionCount(ctx, topics[0])
		if err == nil && n <= 0 {
			err = fmt.Errorf("topic %s has no partitions", topics[0])
		}
		return err
	})
	res.check("schema registry", func() error {
		if reg == nil {
			return errors.New("no registry")
		}
		_, err := reg.Subjects(ctx)
		return err
	})
	return res, nil
}

func (s *Server) discovery(r *http.Request) (any, error) {
	if s.nodes == nil {
		return nil, errorf(http.StatusNotFound, "discovery is not configured (api.Discovery)")
	}
	return s.nodes(r.Context())
}
