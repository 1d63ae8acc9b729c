package rfc1918

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	experttest.Bench(b, experttest.New(b, Name, map[string]any{}),
		experttest.Event(b, map[string]any{"source.ip": "198.51.100.7", "destination.ip": "10.0.0.1", "source.url": "http://shop.example.net/"}),
		experttest.Event(b, map[string]any{"source.ip": "8.8.8.8", "destination.ip": "1.1.1.1", "source.url": "http://www.intelmq.org/"}))
}
