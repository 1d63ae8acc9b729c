package fieldreducer

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestReduce(t *testing.T) {
	event := map[string]any{"source.ip": "192.0.2.1", "classification.type": "scanner", "feed.name": "f",
		"extra.a": 1, "extra.b.c": "x", "raw": "line"}
	tests := []struct {
		params map[string]any
		want   map[string]string
	}{
		{map[string]any{"type": "whitelist", "keys": "source.ip,extra.a,destination.ip"},
			map[string]string{"source.ip": "192.0.2.1", "extra.a": "1"}},
		{map[string]any{"type": "whitelist", "keys": []string{"feed.name", "extra"}},
			map[string]string{"feed.name": "f", "extra.a": "1", "extra.b.c": "x"}},
		{map[string]any{"type": "blacklist", "keys": "raw,extra.b.c,source.port"},
			map[string]string{"source.ip": "192.0.2.1", "classification.type": "scanner", "feed.name": "f", "extra.a": "1"}},
		{map[string]any{"type": "blacklist", "keys": "extra"},
			map[string]string{"source.ip": "192.0.2.1", "classification.type": "scanner", "feed.name": "f", "raw": "line"}},
	}
	for _, tc := range tests {
		experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.field_reducer.expert", tc.params), experttest.Event(t, event), tc.want)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"keys": "source.ip"}, Want: "parameter type: required"},
		{Params: map[string]any{"type": "greylist", "keys": "source.ip"}, Want: "parameter type"},
		{Params: map[string]any{"type": "whitelist"}, Want: "parameter keys: required"},
		{Params: map[string]any{"type": "whitelist", "keys": ""}, Want: "parameter keys: no field names"},
		{Params: map[string]any{"type": "whitelist", "keys": "source.ipp"}, Want: `parameter keys: unknown field "source.ipp"`},
	})
}
