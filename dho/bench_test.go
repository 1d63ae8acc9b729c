package dho

import "testing"

// benchEvent is a 20-key event shaped like the synthetic IntelMQ events the
// project benchmarks with.
const benchEvent = `{"__type": "Event", "classification.identifier": "ceedac", "classification.taxonomy": "malicious-code", "classification.type": "infected-system", "extra.count": 930, "extra.tag": "tag-b;tag-c", "feed.accuracy": 100.0, "feed.name": "Spamhaus Cert", "feed.provider": "Spamhaus", "malware.name": "dridex", "protocol.application": "http", "protocol.transport": "tcp", "raw": "MjAyNC0wNS0wMVQwMDowMDowMCswMDowMCwxMTEuMjAxLjE5MC4xNDAsNjIzNDYs", "source.asn": 9829, "source.geolocation.cc": "NL", "source.ip": "111.201.190.140", "source.port": 62346, "source.url": "http://cdn.site33669.example/wp-admin/includes/x.php", "time.observation": "2024-05-02T00:00:00+00:00", "time.source": "2024-05-01T00:00:00+00:00"}`

func BenchmarkFlatDecode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEvent)))
	var e Event
	for b.Loop() {
		if err := e.UnmarshalFlat(benchEvent); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFlatEncode(b *testing.B) {
	var e Event
	if err := e.UnmarshalFlat(benchEvent); err != nil {
		b.Fatal(err)
	}
	if got := string(e.MarshalFlat(FlatOptions{})); got != benchEvent {
		b.Fatalf("benchmark event does not round-trip:\n%s\n%s", got, benchEvent)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEvent)))
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = e.AppendFlat(buf[:0], FlatOptions{})
	}
}

func BenchmarkSetByName(b *testing.B) {
	b.ReportAllocs()
	var e Event
	for b.Loop() {
		if err := e.Set("source.ip", "192.0.2.1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAvroEncode(b *testing.B) {
	var e Event
	if err := e.UnmarshalFlat(benchEvent); err != nil {
		b.Fatal(err)
	}
	buf := e.AppendAvro(nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = e.AppendAvro(buf[:0])
	}
}

func BenchmarkAvroDecode(b *testing.B) {
	var e Event
	if err := e.UnmarshalFlat(benchEvent); err != nil {
		b.Fatal(err)
	}
	data := e.AppendAvro(nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var d Event
	for b.Loop() {
		if err := d.UnmarshalAvro(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAvroDecodeResolving is the decoder compiled for a writer schema
// (here the current one), the path for data written with other versions.
func BenchmarkAvroDecodeResolving(b *testing.B) {
	var e Event
	if err := e.UnmarshalFlat(benchEvent); err != nil {
		b.Fatal(err)
	}
	data := e.AppendAvro(nil)
	dec, err := NewEventAvroDecoder(AvroSchema(""))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var d Event
	for b.Loop() {
		if err := dec.DecodeEvent(data, &d); err != nil {
			b.Fatal(err)
		}
	}
}
