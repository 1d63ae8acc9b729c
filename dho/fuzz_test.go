package dho

import (
	"bytes"
	"testing"
)

// FuzzUnmarshalFlat: any input is decoded or refused without panicking, and
// an accepted event re-encodes to a fixed point: encode → decode → encode
// gives the same bytes, in both flat modes.
func FuzzUnmarshalFlat(f *testing.F) {
	for _, name := range []string{"intelmq-events.jsonl", "intelmq-reports.jsonl"} {
		for _, l := range readLines(f, name) {
			f.Add(l)
		}
	}
	f.Add(benchEvent)
	f.Add(`{"source.ip": ["192.0.2.1", "192.0.2.1"], "source.port": [1, "2"]}`)
	f.Add(`{"extra": {"a": {"b": [1, 2.5, null]}}, "extra.dho.tags": ["x"]}`)
	f.Add(`{"time.source": "2026-01-01", "feed.accuracy": "50"}`)
	f.Fuzz(func(t *testing.T, in string) {
		var e Event
		if err := e.UnmarshalFlat(in); err != nil {
			return
		}
		for _, mode := range []FlatMode{FlatIntelMQ, FlatDHO} {
			first := e.MarshalFlat(FlatOptions{Mode: mode})
			var d Event
			if err := d.UnmarshalFlat(string(first)); err != nil {
				t.Fatalf("own output refused: %v\ninput  %q\noutput %s", err, in, first)
			}
			if second := d.MarshalFlat(FlatOptions{Mode: mode}); !bytes.Equal(first, second) {
				t.Fatalf("not a fixed point:\n%s\n%s", first, second)
			}
		}
	})
}
