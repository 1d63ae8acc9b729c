package removeaffix

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	experttest.Bench(b, experttest.New(b, Name, map[string]any{}),
		experttest.Event(b, map[string]any{"source.fqdn": "www.example.com"}),
		experttest.Event(b, map[string]any{"source.fqdn": "mail.example.com"}))
}
