package url

import (
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		event  map[string]any
		want   map[string]string
	}{
		{"domain with default port", nil,
			map[string]any{"source.url": "http://www.example.com/path/a.exe?x=1"},
			map[string]string{"source.url": "http://www.example.com/path/a.exe?x=1", "source.fqdn": "www.example.com", "source.port": "80",
				"source.urlpath": "/path/a.exe", "protocol.application": "http", "protocol.transport": "tcp"}},
		{"https: application http, no transport", nil,
			map[string]any{"source.url": "https://example.com"},
			map[string]string{"source.url": "https://example.com", "source.fqdn": "example.com", "source.port": "443", "protocol.application": "http"}},
		{"IP, explicit port, account", nil,
			map[string]any{"destination.url": "ftp://user:secret@192.0.2.5:2121/pub/"},
			map[string]string{"destination.url": "ftp://user:secret@192.0.2.5:2121/pub/", "destination.ip": "192.0.2.5", "destination.port": "2121",
				"destination.urlpath": "/pub/", "destination.account": "user", "protocol.application": "ftp", "protocol.transport": "tcp"}},
		{"IPv6 host", nil,
			map[string]any{"source.url": "tftp://[2001:db8::1]/boot"},
			map[string]string{"source.url": "tftp://[2001:db8::1]/boot", "source.ip": "2001:db8::1", "source.port": "69", "source.urlpath": "/boot",
				"protocol.application": "tftp", "protocol.transport": "udp"}},
		{"unknown scheme: no port, application is the scheme", nil,
			map[string]any{"source.url": "gopher://example.net/1"},
			map[string]string{"source.url": "gopher://example.net/1", "source.fqdn": "example.net", "source.urlpath": "/1", "protocol.application": "gopher"}},
		{"protocols from the source only", nil,
			map[string]any{"source.url": "ssh://example.org", "destination.url": "wss://example.com/ws"},
			map[string]string{"source.url": "ssh://example.org", "destination.url": "wss://example.com/ws", "source.fqdn": "example.org", "source.port": "22",
				"destination.fqdn": "example.com", "destination.port": "443", "destination.urlpath": "/ws", "protocol.application": "ssh", "protocol.transport": "tcp"}},
		{"existing fields kept", nil,
			map[string]any{"source.url": "http://example.com:8080/", "source.fqdn": "other.example", "protocol.application": "https"},
			map[string]string{"source.url": "http://example.com:8080/", "source.fqdn": "other.example", "source.port": "8080", "source.urlpath": "/",
				"protocol.application": "https", "protocol.transport": "tcp"}},
		{"overwrite", map[string]any{"overwrite": true},
			map[string]any{"source.url": "http://example.com:8080/", "source.fqdn": "other.example", "protocol.application": "https"},
			map[string]string{"source.url": "http://example.com:8080/", "source.fqdn": "example.com", "source.port": "8080", "source.urlpath": "/",
				"protocol.application": "http", "protocol.transport": "tcp"}},
		{"skip_fields", map[string]any{"skip_fields": "source.port,protocol.transport, source.urlpath"},
			map[string]any{"source.url": "http://example.com/x"},
			map[string]string{"source.url": "http://example.com/x", "source.fqdn": "example.com", "protocol.application": "http"}},
		{"several URLs", nil,
			map[string]any{"source.url": []string{"http://a.example/x", "https://192.0.2.1:8443/y", "http://b.example:8080/"}},
			map[string]string{"source.url": "http://a.example/x,https://192.0.2.1:8443/y,http://b.example:8080/", "source.fqdn": "a.example,b.example",
				"source.ip": "192.0.2.1", "source.port": "80,8443,8080", "source.urlpath": "/x", "protocol.application": "http", "protocol.transport": "tcp"}},
		{"no URL: unchanged", nil,
			map[string]any{"source.ip": "192.0.2.1"},
			map[string]string{"source.ip": "192.0.2.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := tc.params
			if params == nil {
				params = map[string]any{}
			}
			experttest.Expect(t, experttest.New(t, Name, params), experttest.Event(t, tc.event), tc.want)
		})
	}
}

func TestBadParams(t *testing.T) {
	_, err := experttest.Build(Name, map[string]any{"skip_fields": []string{"source.prot"}})
	if err == nil || !strings.Contains(err.Error(), `parameter skip_fields: unknown field "source.prot"`) {
		t.Errorf("error %v", err)
	}
	if _, err := experttest.Build("intelmq.bots.experts.url.expert", map[string]any{"overwrite": "maybe"}); err == nil {
		t.Error("bad overwrite accepted")
	}
}

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{})
	experttest.Bench(b, x,
		experttest.Event(b, map[string]any{"source.url": "http://www.example.com/path/a.exe?x=1"}),
		experttest.Event(b, map[string]any{"source.url": "https://192.0.2.5:8443/login", "destination.url": "ftp://files.example.net/pub"}))
}
