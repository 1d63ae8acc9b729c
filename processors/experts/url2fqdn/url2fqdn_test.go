package url2fqdn

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestURL2FQDN(t *testing.T) {
	tests := []struct {
		name      string
		overwrite bool
		event     map[string]any
		want      map[string]string
	}{
		{"domain", false, map[string]any{"source.url": "http://Www.Example.com:8080/x"},
			map[string]string{"source.url": "http://Www.Example.com:8080/x", "source.fqdn": "www.example.com"}},
		{"address", false, map[string]any{"destination.url": "https://192.0.2.1/x"},
			map[string]string{"destination.url": "https://192.0.2.1/x", "destination.ip": "192.0.2.1"}},
		{"IPv6 address", false, map[string]any{"source.url": "http://[2001:db8::2]:80/"},
			map[string]string{"source.url": "http://[2001:db8::2]:80/", "source.ip": "2001:db8::2"}},
		{"fqdn set: side skipped", false, map[string]any{"source.url": "http://a.example/", "source.fqdn": "b.example"},
			map[string]string{"source.url": "http://a.example/", "source.fqdn": "b.example"}},
		{"overwrite", true, map[string]any{"source.url": "http://a.example/", "source.fqdn": "b.example"},
			map[string]string{"source.url": "http://a.example/", "source.fqdn": "a.example"}},
		{"ip set is kept", false, map[string]any{"source.url": "http://192.0.2.1/", "source.ip": "192.0.2.9"},
			map[string]string{"source.url": "http://192.0.2.1/", "source.ip": "192.0.2.9"}},
		{"several URLs", false, map[string]any{"source.url": []string{"http://a.example/", "http://192.0.2.1/", "http://a.example/y"}},
			map[string]string{"source.url": "http://a.example/,http://192.0.2.1/,http://a.example/y", "source.fqdn": "a.example", "source.ip": "192.0.2.1"}},
		{"no URL", false, map[string]any{"feed.name": "x"}, map[string]string{"feed.name": "x"}},
	}
	for _, tc := range tests {
		x := experttest.New(t, "intelmq.bots.experts.url2fqdn.expert", map[string]any{"overwrite": tc.overwrite})
		t.Run(tc.name, func(t *testing.T) { experttest.Expect(t, x, experttest.Event(t, tc.event), tc.want) })
	}
	if _, err := experttest.Build(Name, map[string]any{"load_searchers": true}); err == nil {
		t.Error("unknown parameter accepted")
	}
}
