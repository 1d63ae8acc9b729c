package modify

import (
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"configuration_path": filepath.Join("testdata", "rules.json")})
	in := []*dho.Event{
		experttest.Event(b, map[string]any{"source.ip": "198.51.100.7", "source.port": 443, "feed.name": "scan", "feed.accuracy": 100.0}),
		experttest.Event(b, map[string]any{"source.ip": "203.0.113.5", "malware.name": "zeus-v2", "feed.name": "Example Sinkhole", "source.asn": 64497}),
		experttest.Event(b, map[string]any{"source.ip": "192.0.2.1", "source.tor_node": true, "source.port": 22, "feed.name": "tor"}),
	}
	experttest.Bench(b, x, in...)
}
