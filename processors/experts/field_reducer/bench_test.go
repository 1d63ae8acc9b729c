package fieldreducer

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"type": "whitelist", "keys": "source.ip,classification.type,time.source,extra"})
	experttest.Bench(b, x, experttest.Event(b, map[string]any{"source.ip": "192.0.2.1", "source.port": 80, "classification.type": "scanner",
		"feed.name": "f", "raw": "line", "time.source": "2024-01-01T00:00:00+00:00", "extra.a": 1, "comment": "c"}))
}
