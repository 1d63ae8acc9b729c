package templates

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"fields": map[string]any{
		"comment":   `The provider is {{ index .msg "feed.provider" }}!`,
		"extra.url": `{{ index .msg "feed.url" | upper }}`}})
	experttest.Bench(b, x, experttest.Event(b, map[string]any{"feed.provider": "Acme", "feed.url": "https://feed.example/x",
		"source.ip": "192.0.2.1", "classification.type": "scanner"}))
}
