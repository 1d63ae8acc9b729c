package grouping_test

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/grouping"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestGrouping(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]any
		event  map[string]any
		want   string // the group; "" for none
	}{
		{"IPv4 network by default", nil, map[string]any{"source.ip": "192.0.2.77"}, "192.0.2.0/24"},
		{"IPv6 network", nil, map[string]any{"source.ip": "2001:db8:1:2::5"}, "2001:db8:1::/48"},
		{"other prefix lengths", map[string]any{"ipv4_prefix": 16, "ipv6_prefix": 32}, map[string]any{"source.ip": []string{"198.51.100.9", "192.0.2.1"}}, "198.51.0.0/16"},
		{"no address, no group", nil, map[string]any{"source.fqdn": "example.org"}, ""},
		{"same report", map[string]any{"rules": "feed.name + time.observation"},
			map[string]any{"feed.name": "scan", "time.observation": "2026-11-24T10:00:00+00:00"}, "scan 2026-11-24T10:00:00+00:00"},
		{"MISP event, else recipient", map[string]any{"rules": []any{"misp.event_uuid", "notification.recipient|source.abuse_contact"}},
			map[string]any{"source.abuse_contact": "abuse@example.net"}, "abuse@example.net"},
		{"MISP event first", map[string]any{"rules": []any{"misp.event_uuid", "source.abuse_contact"}},
			map[string]any{"misp.event_uuid": "b9b3dbc5-8c4b-4a79-9d1c-6d0d3ebd0e3a", "source.abuse_contact": "abuse@example.net"}, "b9b3dbc5-8c4b-4a79-9d1c-6d0d3ebd0e3a"},
		{"separator and extra", map[string]any{"rules": "extra.campaign + network(destination.ip)", "separator": "/"},
			map[string]any{"extra.campaign": "x1", "destination.ip": "203.0.113.200"}, "x1/203.0.113.0/24"},
		{"default", map[string]any{"rules": "misp.event_uuid", "default": "ungrouped"}, map[string]any{"source.ip": "192.0.2.1"}, "ungrouped"},
		{"kept without overwrite", nil, map[string]any{"source.ip": "192.0.2.1", "group": "mine"}, "mine"},
		{"replaced with overwrite", map[string]any{"overwrite": true}, map[string]any{"source.ip": "192.0.2.1", "group": "mine"}, "192.0.2.0/24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := experttest.New(t, grouping.Name, tc.params)
			out, err := experttest.Run(t, x, experttest.Event(t, tc.event))
			if err != nil || len(out) != 1 {
				t.Fatalf("%d events, %v", len(out), err)
			}
			if out[0].Group != tc.want {
				t.Errorf("group %q, want %q", out[0].Group, tc.want)
			}
		})
	}
}

func TestGroupingRefusesBadRules(t *testing.T) {
	experttest.ExpectRefused(t, grouping.Name, []experttest.Refusal{
		{Params: map[string]any{"rules": "no.such.field"}, Want: `unknown field "no.such.field"`},
		{Params: map[string]any{"rules": "network(source.fqdn)"}, Want: "network(source.fqdn): not an IP address field"},
		{Params: map[string]any{"rules": "network(source.ip"}, Want: "network( without )"},
		{Params: map[string]any{"rules": "feed.name + "}, Want: "an empty part"},
		{Params: map[string]any{"rules": []any{}}, Want: "no rules given"},
		{Params: map[string]any{"ipv4_prefix": 33}, Want: "ipv4_prefix"},
		{Params: map[string]any{"ipv6_prefix": -1}, Want: "ipv6_prefix"},
	})
}

func BenchmarkGrouping(b *testing.B) {
	x := experttest.New(b, grouping.Name, map[string]any{"rules": []any{"misp.event_uuid", "network(source.ip)"}})
	experttest.Bench(b, x, experttest.Event(b, map[string]any{"source.ip": "192.0.2.77", "classification.type": "scanner"}))
}
