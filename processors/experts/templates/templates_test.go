package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestTemplates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "t.tmpl")
	os.WriteFile(file, []byte(`{{ range $i, $ip := index .lists "source.ip" }}{{ if $i }} {{ end }}[{{ $ip }}]{{ end }}`), 0o644)
	event := map[string]any{"feed.provider": "Acme", "feed.url": "https://feed.example/x", "source.ip": []string{"192.0.2.1", "192.0.2.2"},
		"extra.n": 5, "comment": "old"}
	base := map[string]string{"feed.provider": "Acme", "feed.url": "https://feed.example/x", "source.ip": "192.0.2.1,192.0.2.2", "extra.n": "5", "comment": "old"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name   string
		params map[string]any
		want   map[string]string
	}{
		{"text and a filter", map[string]any{"fields": map[string]any{
			"output":        `"The provider is {{ index .msg "feed.provider" }}!"`,
			"extra.url":     `{{ index .msg "feed.url" | upper }}`,
			"extra.missing": `{{ index .msg "destination.ip" | default "none" }}`,
			"extra.ips":     `{{ join ";" (index .lists "source.ip") }}`,
			"extra.num":     `n={{ index .msg "extra.n" }}`}},
			with("output", `"The provider is Acme!"`, "extra.url", "HTTPS://FEED.EXAMPLE/X", "extra.missing", "none",
				"extra.ips", "192.0.2.1;192.0.2.2", "extra.num", "n=5")},
		{"a template file", map[string]any{"fields": map[string]any{"extra.ips": "file://" + file}},
			with("extra.ips", "[192.0.2.1] [192.0.2.2]")},
		{"set fields are kept", map[string]any{"fields": map[string]any{"comment": "new"}}, base},
		{"overwrite", map[string]any{"fields": map[string]any{"comment": "new {{ index .msg \"comment\" }}"}, "overwrite": true},
			with("comment", "new old")},
		{"empty result with overwrite unsets", map[string]any{"fields": map[string]any{"comment": "{{ index .msg \"nothing\" }}"}, "overwrite": true},
			with("comment", "")},
		{"later templates see earlier results", map[string]any{"fields": map[string]any{"extra.a": "A", "extra.b": `{{ index .msg "extra.a" }}B`}},
			with("extra.a", "A", "extra.b", "AB")},
		{"functions", map[string]any{"fields": map[string]any{"extra.f": `{{ lower "X" }}{{ trim "  y " }}{{ replace "a" "b" "aa" }}`}},
			with("extra.f", "xybb")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := experttest.New(t, "intelmq.bots.experts.jinja.expert", tc.params)
			experttest.Expect(t, x, experttest.Event(t, event), tc.want)
		})
	}
}

func TestFailures(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"fields": map[string]any{"source.ip": "not an address"}})
	if out, err := experttest.Run(t, x, experttest.Event(t, map[string]any{})); err == nil || len(out) != 0 {
		t.Errorf("invalid result accepted: %v", err)
	}
	x = experttest.New(t, Name, map[string]any{"fields": map[string]any{"comment": `{{ index .msg.x "y" }}`}})
	if _, err := experttest.Run(t, x, experttest.Event(t, map[string]any{})); err == nil || !strings.Contains(err.Error(), "template of comment") {
		t.Errorf("failing template: %v", err)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{}, Want: "parameter fields: required"},
		{Params: map[string]any{"fields": map[string]any{}}, Want: "no fields"},
		{Params: map[string]any{"fields": map[string]any{"feed.nmae": "x"}}, Want: `unknown field "feed.nmae"`},
		{Params: map[string]any{"fields": map[string]any{"comment": 5}}, Want: "not text"},
		{Params: map[string]any{"fields": map[string]any{"comment": "{{ .msg "}}, Want: "comment: template"},
		{Params: map[string]any{"fields": map[string]any{"comment": "{{ nosuchfunc }}"}}, Want: "nosuchfunc"},
		{Params: map[string]any{"fields": map[string]any{"comment": "file:///no/such/template"}}, Want: "comment: open"},
		{Params: map[string]any{"fields": "comment"}, Want: "parameter fields"},
	})
}
