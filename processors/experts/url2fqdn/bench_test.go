package url2fqdn

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	experttest.Bench(b, experttest.New(b, Name, map[string]any{}),
		experttest.Event(b, map[string]any{"source.url": "http://www.example.com/path"}),
		experttest.Event(b, map[string]any{"source.url": "https://192.0.2.5:8443/login", "destination.url": "ftp://files.example.net/pub"}))
}
