package api

import (
	"net/http"
	"strings"

	"github.com/intelstream/intelstream/topology"
)

// docPath is the OpenAPI path of a route pattern ("/{$}" is "/").
func docPath(pattern string) string {
	if pattern == "/{$}" {
		return "/"
	}
	return pattern
}

// OpenAPI returns the OpenAPI 3.1 document of the API, made from the route
// table; the parameter schemas come from the node specs of the running
// topology.
func (s *Server) OpenAPI() map[string]any {
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	paths := map[string]any{}
	for _, rt := range s.routes {
		p := docPath(rt.path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		ct := rt.respType
		if ct == "" {
			ct = "application/json"
		}
		content := map[string]any{}
		if rt.resp != nil {
			content["schema"] = rt.resp
		} else {
			content["schema"] = map[string]any{"type": "string"}
		}
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.tag},
			"x-role":      rt.role.String(),
			"responses": map[string]any{
				"200": map[string]any{"description": "OK", "content": map[string]any{ct: content}},
				"500": errResp("Failure"),
			},
		}
		resps := op["responses"].(map[string]any)
		if strings.Contains(rt.path, "{name}") {
			op["parameters"] = []any{map[string]any{"name": "name", "in": "path", "required": true, "description": "node name", "schema": map[string]any{"type": "string"}}}
			resps["404"] = errResp("No such node")
		}
		if rt.role != RolePublic {
			op["security"] = []any{map[string]any{"bearerAuth": []string{}}}
			resps["401"] = errResp("Authentication required or token invalid")
			resps["403"] = errResp("The token's role is too low")
			resps["503"] = errResp("The topology is not running")
		}
		if rt.path == "/readyz" {
			resps["503"] = map[string]any{"description": "Not ready", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Health"}}}}
		}
		if rt.body != nil {
			bt := rt.bodyType
			if bt == "" {
				bt = "application/json"
			}
			op["requestBody"] = map[string]any{"required": !rt.bodyOptional, "content": map[string]any{bt: map[string]any{"schema": rt.body}}}
			resps["400"] = errResp("Bad request body or parameter value")
			if rt.conflict != "-" {
				resps["409"] = errResp(nonEmpty(rt.conflict, "The node's parameters are unknown (not made from a registered kind)"))
			}
			resps["413"] = errResp("Request body too large")
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "intelstream control API",
			"version":     nonEmpty(s.version, "devel"),
			"description": "Status and control of the nodes of a running intelstream topology.",
		},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{"type": "http", "scheme": "bearer",
				"description": "A static token (--api-token NAME:ROLE:SECRET) or an OIDC JWT whose roles claim holds read, operate or admin."}},
			"schemas": s.schemas(),
		},
	}
}

func nonEmpty(s, def string) string {
	if s == "" || s == "(devel)" {
		return def
	}
	return s
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.Split(strings.Trim(rt.path, "/"), "/") {
		part = strings.Trim(part, "{}$")
		part = strings.NewReplacer(".", "_", "-", "_").Replace(part)
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if rt.path == "/{$}" {
		b.WriteString("Console")
	}
	return b.String()
}

func (s *Server) schemas() map[string]any {
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	strs := map[string]any{"type": "array", "items": str}
	obj := func(props map[string]any, required ...string) map[string]any {
		o := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	states := []string{string(topology.StatePending), string(topology.StateRunning), string(topology.StatePaused), string(topology.StateStopped), string(topology.StateFailed)}
	out := map[string]any{
		"Error":  obj(map[string]any{"error": str, "node": str, "param": str}, "error"),
		"Health": obj(map[string]any{"status": str}, "status"),
		"NodeStatus": obj(map[string]any{
			"name": str, "kind": str, "op": str, "node_kind": str,
			"state": map[string]any{"type": "string", "enum": states}, "error": str,
			"received": integer, "produced": integer, "failed": integer, "committed": integer,
			"lag": integer, "started": map[string]any{"type": "string", "format": "date-time"}, "restarts": integer,
			"workers": map[string]any{"type": "integer", "minimum": 1, "description": "members of the node's consumer group in this process"},
		}, "name", "state"),
		"TopologyStatus": obj(map[string]any{"graph": map[string]any{"type": "object", "description": "topology.Describe as JSON"}, "nodes": map[string]any{"type": "array", "items": ref("NodeStatus")}}, "graph", "nodes"),
		"NodeMeta": obj(map[string]any{"name": str, "version": str, "kind": str, "node_kind": str, "doc": str, "intelmq": str,
			"requires": strs, "produces": strs, "input_topics": strs, "output_topics": strs, "dead_letter_topic": str, "consumer_group": str,
			"schema_ids": map[string]any{"type": "object", "additionalProperties": integer}}, "name", "kind"),
		"NodeParams": obj(map[string]any{"node": str, "kind": str,
			"params": map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
			"values": map[string]any{"type": "object"}}, "node", "values"),
		"ParamChange": obj(map[string]any{"node": str, "change": map[string]any{"type": "string", "enum": []string{
			string(topology.ParamsUnchanged), string(topology.ParamsApplied), string(topology.ParamsRestarted)}}, "values": map[string]any{"type": "object"}}, "node", "change"),
		"Workers":     obj(map[string]any{"workers": map[string]any{"type": "integer", "minimum": 1, "description": "members of the node's consumer group to run in this process, at most the partitions of its input"}}, "workers"),
		"DeadLetters": obj(map[string]any{"topic": str, "count": integer, "failed_this_run": integer}, "topic", "count"),
		"NodeState": obj(map[string]any{"node": str, "entries": map[string]any{"type": "array", "items": obj(map[string]any{
			"table": str, "partition": integer, "key": map[string]any{}, "value": map[string]any{}})}, "state_error": str, "dead_letters": ref("DeadLetters")}, "node", "entries"),
		"TestResult": obj(map[string]any{"ok": map[string]any{"type": "boolean"}, "checks": map[string]any{"type": "array", "items": obj(map[string]any{
			"name": str, "ok": map[string]any{"type": "boolean"}, "error": str, "took": str}, "name", "ok")}}, "ok", "checks"),
		"LogSettings": obj(map[string]any{"level": map[string]any{"type": "string", "enum": []string{"debug", "info", "warn", "error"}},
			"output": map[string]any{"type": "string", "description": "stderr, stdout, file:PATH, syslog, syslog://HOST:PORT, syslog+tcp://HOST:PORT or syslog+unix://PATH"}}),
		"NodeExamples": obj(map[string]any{"node": str, "kind": str, "ok": boolean, "passed": integer, "failed": integer, "took": str, "note": str,
			"examples": map[string]any{"type": "array", "items": obj(map[string]any{"example": str, "ok": boolean, "error": str}, "example", "ok")}},
			"node", "kind", "ok", "examples"),
		"TopologyExamples": obj(map[string]any{"ok": boolean, "nodes": map[string]any{"type": "array", "items": ref("NodeExamples")},
			"skipped": map[string]any{"type": "array", "items": ref("SkippedNode")}}, "ok", "nodes", "skipped"),
		"SkippedNode": obj(map[string]any{"node": str, "reason": str}, "node", "reason"),
		"DryRunRequest": obj(map[string]any{"samples": map[string]any{"type": "object", "description": "sample records per source node, each an object of flat DHO fields",
			"additionalProperties": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}}),
		"DryRunResult": obj(map[string]any{"ok": boolean, "nodes": map[string]any{"type": "array", "items": obj(map[string]any{
			"node": str, "op": str, "in": integer, "output": map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
			"routed":  map[string]any{"type": "object", "additionalProperties": integer},
			"missing": map[string]any{"type": "array", "items": obj(map[string]any{"record": integer, "fields": strs}, "record", "fields")},
			"errors":  strs, "samples": str, "note": str}, "node", "op", "in", "output")}}, "ok", "nodes"),
		"Announcement": obj(map[string]any{"topology": str, "node": str, "kind": str, "node_kind": str, "version": str, "contact": str,
			"api": str, "input_topics": strs, "output_topics": strs, "time": map[string]any{"type": "string", "format": "date-time"}}, "topology", "node"),
	}
	// The parameter values a PUT takes: one schema per node made from a
	// registered kind, from its spec.
	var anyOf []any
	for _, name := range s.ctl.Nodes() {
		spec, _, err := s.ctl.ParamsOf(name)
		if err != nil {
			continue
		}
		key := "Params_" + strings.NewReplacer("-", "_").Replace(name)
		out[key] = paramsSchema(name, spec)
		anyOf = append(anyOf, ref(key))
	}
	if len(anyOf) == 0 {
		out["ParamValues"] = map[string]any{"type": "object", "description": "parameter values by name"}
	} else {
		out["ParamValues"] = map[string]any{"description": "parameter values by name, of the node in the path", "anyOf": anyOf}
	}
	return out
}

// paramsSchema is the JSON Schema of a node's parameter values.
func paramsSchema(node string, spec topology.Spec) map[string]any {
	props := map[string]any{}
	for _, p := range spec.Params {
		var sch map[string]any
		switch p.Type {
		case topology.ParamString:
			sch = map[string]any{"type": "string"}
			if len(p.Enum) > 0 {
				sch["enum"] = p.Enum
			}
		case topology.ParamInt:
			sch = map[string]any{"type": "integer"}
		case topology.ParamFloat:
			sch = map[string]any{"type": "number"}
		case topology.ParamBool:
			sch = map[string]any{"type": "boolean"}
		case topology.ParamDuration:
			sch = map[string]any{"type": []string{"string", "number"}, "description": "a Go duration (30s, 5m) or seconds"}
		case topology.ParamStrings:
			sch = map[string]any{"type": []string{"array", "string"}, "items": map[string]any{"type": "string"}}
		case topology.ParamObject:
			sch = map[string]any{"type": "object"}
		default:
			sch = map[string]any{}
		}
		desc := p.Doc
		if p.Runtime {
			desc += " (changes without restart)"
		}
		sch["description"] = strings.TrimSpace(desc)
		sch["x-runtime"] = p.Runtime
		props[p.Name] = sch
	}
	return map[string]any{"type": "object", "title": "parameters of node " + node + " (" + spec.Name + ")",
		"properties": props, "additionalProperties": false}
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.OpenAPI())
}
