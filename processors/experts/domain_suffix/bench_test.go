package domainsuffix

import (
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	for _, file := range []string{filepath.Join("testdata", "suffixes.dat"), ""} {
		name := "file"
		if file == "" {
			name = "compiled-in"
		}
		b.Run(name, func(b *testing.B) {
			x := experttest.New(b, Name, map[string]any{"field": "fqdn", "suffix_file": file})
			experttest.Bench(b, x,
				experttest.Event(b, map[string]any{"source.fqdn": "www.example.co.uk", "destination.fqdn": "a.b.example.com"}),
				experttest.Event(b, map[string]any{"source.fqdn": "host.city.kawasaki.jp"}))
		})
	}
}
