package modify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

func build(t *testing.T, params map[string]any) experttest.Processor {
	t.Helper()
	if _, ok := params["configuration_path"]; !ok {
		params["configuration_path"] = filepath.Join("testdata", "rules.json")
	}
	return experttest.New(t, Name, params)
}

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		event  map[string]any
		want   map[string]string
	}{
		{"no rule matches: unchanged", nil,
			map[string]any{"source.port": 22, "feed.name": "x"},
			map[string]string{"source.port": "22", "feed.name": "x"}},
		{"number searched as text; one of several values", nil,
			map[string]any{"source.port": []int64{22, 443}},
			map[string]string{"source.port": "22,443", "protocol.application": "http"}},
		{"numbered and named groups", nil,
			map[string]any{"malware.name": "zeus-v2"},
			map[string]string{"malware.name": "zeus-v2", "malware.version": "2", "classification.identifier": "zeus"}},
		{"a field rewritten from its own match", nil,
			map[string]any{"malware.name": "vendorx-emotet"},
			map[string]string{"malware.name": "emotet"}},
		{"empty condition: field must be unset, msg reads the event", nil,
			map[string]any{"feed.name": "Example Sinkhole", "malware.name": "necurs"},
			map[string]string{"feed.name": "Example Sinkhole", "malware.name": "necurs", "classification.identifier": "necurs"}},
		{"empty condition not met", nil,
			map[string]any{"feed.name": "Example Sinkhole", "malware.name": "necurs", "classification.identifier": "given"},
			map[string]string{"feed.name": "Example Sinkhole", "malware.name": "necurs", "classification.identifier": "given"}},
		{"number condition", nil,
			map[string]any{"feed.accuracy": 100.0},
			map[string]string{"feed.accuracy": "100.0", "extra.trusted": "true"}},
		{"number condition not met", nil,
			map[string]any{"feed.accuracy": 99.0},
			map[string]string{"feed.accuracy": "99.0"}},
		{"boolean condition, literal braces", nil,
			map[string]any{"source.tor_node": true, "source.ip": "192.0.2.1"},
			map[string]string{"source.tor_node": "true", "source.ip": "192.0.2.1", "comment": "via tor: 192.0.2.1 {literal}"}},
		{"boolean condition not met", nil,
			map[string]any{"source.tor_node": false, "source.ip": "192.0.2.1"},
			map[string]string{"source.tor_node": "false", "source.ip": "192.0.2.1"}},
		{"overwrite (default) replaces", nil,
			map[string]any{"source.port": 80, "protocol.application": "ssh"},
			map[string]string{"source.port": "80", "protocol.application": "http"}},
		{"overwrite false keeps", map[string]any{"overwrite": false},
			map[string]any{"source.port": 80, "protocol.application": "ssh", "malware.name": "zeus-v2"},
			map[string]string{"source.port": "80", "protocol.application": "ssh", "malware.name": "zeus-v2", "malware.version": "2", "classification.identifier": "zeus"}},
		{"case sensitive by default", nil,
			map[string]any{"feed.name": "EXAMPLE SINKHOLE", "malware.name": "x"},
			map[string]string{"feed.name": "EXAMPLE SINKHOLE", "malware.name": "x"}},
		{"case insensitive", map[string]any{"case_sensitive": false},
			map[string]any{"feed.name": "EXAMPLE SINKHOLE", "malware.name": "x"},
			map[string]string{"feed.name": "EXAMPLE SINKHOLE", "malware.name": "x", "classification.identifier": "x"}},
		{"maximum_matches", map[string]any{"maximum_matches": 1},
			map[string]any{"source.port": 80, "malware.name": "zeus-v2"},
			map[string]string{"source.port": "80", "malware.name": "zeus-v2", "protocol.application": "http"}},
		{"ASN searched as its number", nil,
			map[string]any{"source.asn": 64497},
			map[string]string{"source.asn": "64497", "extra.documentation_asn": "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{}
			for k, v := range tc.params {
				params[k] = v
			}
			x := build(t, params)
			experttest.Expect(t, x, experttest.Event(t, tc.event), tc.want)
		})
	}
}

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "modify.conf")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadConfigurations(t *testing.T) {
	tests := []struct{ conf, want string }{
		{`{}`, "not a JSON list of rules"},
		{`rulename: r`, "not a JSON list of rules"},
		{`[{"if": {}, "then": {}}]`, `rule "#1": "rulename" must be a non-empty string`},
		{`[{"rulename": "r", "then": {}}]`, `rule "r": "if" is missing`},
		{`[{"rulename": "r", "if": [], "then": {}}]`, `"if" must be an object`},
		{`[{"rulename": "r", "if": {}, "then": {}, "else": {}}]`, `unknown key "else"`},
		{`[{"rulename": "bad re", "if": {"feed.name": "(x"}, "then": {}}]`, `rule "bad re": if feed.name: regular expression "(x"`},
		{`[{"rulename": "bad field", "if": {"feed.nmae": "x"}, "then": {}}]`, `rule "bad field": if: unknown field "feed.nmae"`},
		{`[{"rulename": "bad target", "if": {}, "then": {"sourceip": "x"}}]`, `rule "bad target": then: unknown field "sourceip"`},
		{`[{"rulename": "bad extra", "if": {}, "then": {"extra.Bad": "x"}}]`, `extra key`},
		{`[{"rulename": "null", "if": {"feed.name": null}, "then": {}}]`, "not null"},
		{`[{"rulename": "list", "if": {}, "then": {"comment": [1]}}]`, "not a list"},
		{`[{"rulename": "bad value", "if": {}, "then": {"classification.type": "nonsense"}}]`, `rule "bad value": then: `},
		{`[{"rulename": "fmt", "if": {}, "then": {"comment": "{msg[feed.name]"}}]`, "not closed"},
		{`[{"rulename": "fmt", "if": {}, "then": {"comment": "a } b"}}]`, "single }"},
		{`[{"rulename": "fmt", "if": {}, "then": {"comment": "{event[feed.name]}"}}]`, "the names are msg and matches"},
		{`[{"rulename": "fmt", "if": {}, "then": {"comment": "{msg[feed.name]:>10}"}}]`, "format specs are not supported"},
		{`[{"rulename": "fmt", "if": {}, "then": {"comment": "{msg[nofield]}"}}]`, `unknown field "nofield"`},
		{`[{"rulename": "fmt", "if": {"feed.name": "x"}, "then": {"comment": "{matches[feed.code][1]}"}}]`, "no regular expression condition on feed.code"},
		{`[{"rulename": "fmt", "if": {"feed.name": "x"}, "then": {"comment": "{matches[feed.name]}"}}]`, "write {matches[FIELD][GROUP]}"},
	}
	for _, tc := range tests {
		_, err := experttest.Build(Name, map[string]any{"configuration_path": write(t, tc.conf)})
		var pe *topology.ParamError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &pe) || pe.Param != "configuration_path" {
			t.Errorf("%s: error %v, want %q", tc.conf, err, tc.want)
		}
	}
	for _, params := range []map[string]any{
		{},
		{"configuration_path": filepath.Join(t.TempDir(), "missing.conf")},
		{"configuration_path": filepath.Join("testdata", "rules.json"), "maximum_matches": -1},
		{"configuration_path": filepath.Join("testdata", "rules.json"), "case_sensitive": "maybe"},
	} {
		if _, err := experttest.Build(Name, params); err == nil {
			t.Errorf("%v accepted", params)
		}
	}
}

func TestRuntimeErrors(t *testing.T) {
	tests := []struct{ conf, want string }{
		{`[{"rulename": "missing", "if": {"feed.name": "x"}, "then": {"comment": "{msg[feed.code]}"}}]`, `modify rule "missing": {msg[feed.code]}: the event has no feed.code`},
		{`[{"rulename": "group", "if": {"feed.name": "x"}, "then": {"comment": "{matches[feed.name][3]}"}}]`, "has 0 groups"},
		{`[{"rulename": "named", "if": {"feed.name": "x"}, "then": {"comment": "{matches[feed.name][g]}"}}]`, "no group g"},
		{`[{"rulename": "invalid", "if": {"feed.name": "(.*)"}, "then": {"source.ip": "{matches[feed.name][1]}"}}]`, `modify rule "invalid": source.ip`},
	}
	for _, tc := range tests {
		x := experttest.New(t, Name, map[string]any{"configuration_path": write(t, tc.conf)})
		out, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"feed.name": "x"}))
		if err == nil || len(out) != 0 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.conf, err, tc.want)
		}
	}
}

func TestYAML(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"configuration_path": write(t, `
- rulename: web ports
  if:
    source.port: "^(80|443)$"
  then:
    protocol.application: http
    extra.web: true
    extra.weight: 2
`)})
	experttest.Expect(t, x, experttest.Event(t, map[string]any{"source.port": 443}),
		map[string]string{"source.port": "443", "protocol.application": "http", "extra.web": "true", "extra.weight": "2"})
	if _, err := experttest.Build(Name, map[string]any{"configuration_path": write(t, "- rulename: [unclosed\n")}); err == nil ||
		!strings.Contains(err.Error(), "neither JSON nor YAML") {
		t.Errorf("bad YAML: %v", err)
	}
}

func TestGroupNotTakingPart(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"configuration_path": write(t,
		`[{"rulename": "opt", "if": {"feed.name": "^a(b)?$"}, "then": {"comment": "[{matches[feed.name][1]}]"}}]`)})
	experttest.Expect(t, x, experttest.Event(t, map[string]any{"feed.name": "a"}), map[string]string{"feed.name": "a", "comment": "[]"})
}

func TestIntelMQName(t *testing.T) {
	if _, err := experttest.Build("intelmq.bots.experts.modify.expert", map[string]any{
		"configuration_path": filepath.Join("testdata", "rules.json"), "rate_limit": 0}); err != nil {
		t.Fatal(err)
	}
}
