package transformertest

import (
	"os"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers"
)

// records reads the JSON records of a fixture.
func records(b *testing.B, path string) []transformers.Record {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	recs, err := transformers.Records(data)
	if err != nil || len(recs) == 0 {
		b.Fatalf("%s: %v", path, err)
	}
	return recs
}

// BenchEncode measures encode over the DHO events of a flat JSON lines
// fixture, one event per iteration.
func BenchEncode(b *testing.B, fixture string, encode transformers.Encoder) {
	var events []*dho.Event
	for _, r := range records(b, fixture) {
		e, _, err := FlatDecoder(r.Raw)
		if err != nil {
			b.Fatal(err)
		}
		events = append(events, e)
	}
	var buf []byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var err error
		buf, _, err = encode(buf[:0], events[i%len(events)])
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchDecode measures decode over the records of a fixture, one record
// per iteration.
func BenchDecode(b *testing.B, fixture string, decode transformers.Decoder) {
	recs := records(b, fixture)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, _, err := decode(recs[i%len(recs)].Raw); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
