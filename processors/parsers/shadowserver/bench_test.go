package shadowserver

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// BenchmarkShadowserverScanHTTP parses 100,000 rows of scan_http made by
// gen_shadowserver.py, and reports events per second (one core: run with
// -cpu 1). IntelMQ parses 2,100-2,900 events/s on the project's machines.
func BenchmarkShadowserverScanHTTP(b *testing.B) {
	const rows = 100000
	raw := generate(b, "scan_http", rows)
	r := report(b, "2024-05-01-scan_http-world-geo.csv", raw)
	p, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	parsertest.Bench(b, p, r, rows)
}
