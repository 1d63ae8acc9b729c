package domainvalid

import (
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"tlds_domains_list": filepath.Join("testdata", "tlds.txt")})
	experttest.Bench(b, x,
		experttest.Event(b, map[string]any{"source.fqdn": "www.example.com"}),
		experttest.Event(b, map[string]any{"source.fqdn": "www.example.de"}))
}
