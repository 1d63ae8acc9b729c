package shadowserver

import (
	"context"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
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
	ctx := context.Background()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = 0
		err := p.Parse(ctx, r, func(*dho.Event) error { n++; return nil },
			func(f parsers.Failure) { b.Fatalf("failure: %v", f) })
		if err != nil {
			b.Fatal(err)
		}
	}
	if n != rows {
		b.Fatalf("%d events, want %d", n, rows)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
