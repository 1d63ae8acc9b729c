package removeaffix

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestRemoveAffix(t *testing.T) {
	tests := []struct {
		params map[string]any
		event  map[string]any
		want   map[string]string
	}{
		{map[string]any{}, map[string]any{"source.fqdn": "www.example.com"}, map[string]string{"source.fqdn": "example.com"}},
		{map[string]any{}, map[string]any{"source.fqdn": "mail.example.com"}, map[string]string{"source.fqdn": "mail.example.com"}},
		{map[string]any{}, map[string]any{"source.fqdn": []string{"www.a.example", "b.example"}}, map[string]string{"source.fqdn": "a.example,b.example"}},
		{map[string]any{}, map[string]any{"feed.name": "x"}, map[string]string{"feed.name": "x"}},
		{map[string]any{"remove_prefix": false, "affix": ".example.com", "field": "destination.reverse_dns"},
			map[string]any{"destination.reverse_dns": "host1.example.com"}, map[string]string{"destination.reverse_dns": "host1"}},
		{map[string]any{"remove_prefix": false, "affix": "", "field": "comment"},
			map[string]any{"comment": "unchanged"}, map[string]string{"comment": "unchanged"}},
		{map[string]any{"affix": "id-", "field": "extra.id"},
			map[string]any{"extra.id": "id-42", "extra.n": 1}, map[string]string{"extra.id": "42", "extra.n": "1"}},
		{map[string]any{"affix": "x", "field": "extra.id"},
			map[string]any{"extra.id": "x"}, map[string]string{}},
	}
	for _, tc := range tests {
		experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.remove_affix.expert", tc.params), experttest.Event(t, tc.event), tc.want)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{"field": "source.fqnd"}, Want: "parameter field: unknown field"},
		{Params: map[string]any{"field": "source.port"}, Want: "parameter field: source.port does not hold text"},
		{Params: map[string]any{"remove_prefix": "sometimes"}, Want: "parameter remove_prefix"},
	})
}
