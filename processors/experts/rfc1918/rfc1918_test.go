package rfc1918

import (
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestReserved(t *testing.T) {
	for _, ip := range []string{"10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.1.1", "172.31.255.255", "192.0.0.8", "192.0.2.1",
		"192.88.99.1", "192.168.1.1", "198.19.0.1", "198.51.100.1", "203.0.113.255", "224.0.0.1", "239.1.1.1", "250.0.0.1",
		"255.255.255.255", "fe80::1", "2001:db8::1", "::ffff:10.0.0.1"} {
		if !ReservedIP(ip) {
			t.Errorf("%s not reserved", ip)
		}
	}
	for _, ip := range []string{"8.8.8.8", "172.32.0.1", "100.128.0.1", "fe80:0:0:1::1", "2001:db9::1", "not an ip"} {
		if ReservedIP(ip) {
			t.Errorf("%s reserved", ip)
		}
	}
	for _, d := range []string{"example.com", "www.example.net", "a.b.example.org", "host.test", "x.example", "foo.invalid", "localhost.localhost"} {
		if !ReservedDomain(d) {
			t.Errorf("%s not reserved", d)
		}
	}
	for _, d := range []string{"example.co", "notexample.com", "testing.com", "localhost", "example.com.au"} {
		if ReservedDomain(d) {
			t.Errorf("%s reserved", d)
		}
	}
	for n, want := range map[int64]bool{64495: false, 64496: true, 64511: true, 64512: false, 65536: true, 65551: true, 65552: false} {
		if ReservedASN(n) != want {
			t.Errorf("ASN %d: %v", n, !want)
		}
	}
}

func TestPolicies(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		event  map[string]any
		want   map[string]string // nil: dropped
	}{
		{"default: destination.ip deleted", nil,
			map[string]any{"destination.ip": "192.168.0.1", "source.ip": "8.8.8.8"},
			map[string]string{"source.ip": "8.8.8.8"}},
		{"default: source.ip dropped", nil,
			map[string]any{"source.ip": "10.0.0.1"}, nil},
		{"default: URL host with port dropped", nil,
			map[string]any{"source.url": "http://10.0.0.1:8080/x"}, nil},
		{"default: URL with reserved domain dropped", nil,
			map[string]any{"source.url": "https://www.example.com/"}, nil},
		{"default: public values pass", nil,
			map[string]any{"source.ip": "8.8.8.8", "destination.ip": "1.1.1.1", "source.url": "http://www.intelmq.org/"},
			map[string]string{"source.ip": "8.8.8.8", "destination.ip": "1.1.1.1", "source.url": "http://www.intelmq.org/"}},
		{"first match stops checking", nil,
			map[string]any{"destination.ip": "192.168.0.1", "source.ip": "10.0.0.1"},
			map[string]string{"source.ip": "10.0.0.1"}},
		{"asn and fqdn", map[string]any{"fields": "source.asn,source.fqdn", "policy": "drop,del"},
			map[string]any{"source.asn": 64496}, nil},
		{"fqdn deleted", map[string]any{"fields": []string{"source.asn", "source.fqdn"}, "policy": []string{"drop", "del"}},
			map[string]any{"source.asn": 3320, "source.fqdn": "mail.example.org"},
			map[string]string{"source.asn": "3320"}},
		{"multi-valued: only reserved values removed", map[string]any{"fields": "source.ip", "policy": "del"},
			map[string]any{"source.ip": []string{"8.8.8.8", "10.0.0.1", "1.1.1.1"}},
			map[string]string{"source.ip": "8.8.8.8,1.1.1.1"}},
		{"missing fields pass", nil,
			map[string]any{"feed.name": "x"}, map[string]string{"feed.name": "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := tc.params
			if params == nil {
				params = map[string]any{}
			}
			experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.rfc1918.expert", params), experttest.Event(t, tc.event), tc.want)
		})
	}
}

func TestBadParams(t *testing.T) {
	for params, want := range map[*map[string]any]string{
		{"fields": "source.ip,destination.ip", "policy": "del"}: "parameter policy: 1 policies for 2 fields",
		{"fields": "source.port", "policy": "del"}:              "parameter fields",
		{"fields": "comment", "policy": "del"}:                  "parameter fields",
		{"fields": "source.ip", "policy": "remove"}:             `parameter policy: "remove"`,
	} {
		_, err := experttest.Build(Name, *params)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: error %v, want %q", *params, err, want)
		}
	}
}
