package dho

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata")

func TestAvroRoundTripEveryField(t *testing.T) {
	e := fullEvent(t)
	b := e.AppendAvro(nil)
	var d Event
	if err := d.UnmarshalAvro(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&d, e) {
		t.Fatalf("Avro round trip differs:\n got %+v\nwant %+v", d, *e)
	}
	if again := d.AppendAvro(nil); !bytes.Equal(again, b) {
		t.Fatal("re-encoding differs")
	}
	// And the flat form of the decoded event is the original's.
	if !bytes.Equal(d.MarshalFlat(FlatOptions{}), e.MarshalFlat(FlatOptions{})) {
		t.Fatal("flat forms differ after the Avro round trip")
	}
}

func TestAvroGoldenEvents(t *testing.T) {
	for i, line := range readLines(t, "intelmq-events.jsonl") {
		var e, d Event
		if err := e.UnmarshalFlat(line); err != nil {
			t.Fatal(err)
		}
		if err := d.UnmarshalAvro(e.AppendAvro(nil)); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got := string(d.MarshalFlat(FlatOptions{})); got != line {
			t.Errorf("line %d after Avro:\n got %s\nwant %s", i+1, got, line)
		}
	}
	for _, line := range readLines(t, "intelmq-reports.jsonl") {
		var r, d Report
		if err := r.UnmarshalFlat(line); err != nil {
			t.Fatal(err)
		}
		if err := d.UnmarshalAvro(r.AppendAvro(nil)); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, r) {
			t.Errorf("report after Avro:\n got %+v\nwant %+v", d, r)
		}
	}
}

// TestAvroIndependentReader checks our encoder against hamba's generic
// decoder (an independent implementation of the Avro spec) and our decoder
// against hamba's encoder.
func TestAvroIndependentReader(t *testing.T) {
	schema := avro.MustParse(AvroSchema(""))
	e := fullEvent(t)
	var m map[string]any
	if err := avro.Unmarshal(schema, e.AppendAvro(nil), &m); err != nil {
		t.Fatalf("hamba cannot read our bytes: %v", err)
	}
	src := m["source"].(map[string]any)
	if ips := src["ip"].([]any); len(ips) != 3 || ips[0] != "2001:db8::1" {
		t.Errorf("hamba read source.ip = %v", src["ip"])
	}
	if geo := src["geolocation"].(map[string]any); geo["cc"] == nil {
		t.Errorf("hamba read source.geolocation = %v", geo)
	}
	back, err := avro.Marshal(schema, m)
	if err != nil {
		t.Fatalf("hamba cannot write what it read: %v", err)
	}
	var d Event
	if err := d.UnmarshalAvro(back); err != nil {
		t.Fatalf("we cannot read hamba's bytes: %v", err)
	}
	// Map order in hamba's writer may differ; compare decoded events.
	if !reflect.DeepEqual(&d, e) {
		t.Fatalf("hamba's bytes decode differently:\n got %+v\nwant %+v", d, *e)
	}
}

// TestAvroReadsVersion1 reads bytes written with the DHO 1.0 schema (kept in
// testdata so that they never change) with the current reader.
func TestAvroReadsVersion1(t *testing.T) {
	path := filepath.Join("testdata", "event-v1.avro")
	if *updateGolden {
		var e Event
		line := readLines(t, "intelmq-events.jsonl")[1]
		if err := e.UnmarshalFlat(line); err != nil {
			t.Fatal(err)
		}
		// Written by hamba from a generic map, with the 1.0 schema.
		var m map[string]any
		if err := avro.Unmarshal(avro.MustParse(AvroSchema("")), e.AppendAvro(nil), &m); err != nil {
			t.Fatal(err)
		}
		b, err := avro.Marshal(avro.MustParse(AvroSchema("1.0")), m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewEventAvroDecoder(AvroSchema("1.0"))
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	if err := dec.DecodeEvent(data, &e); err != nil {
		t.Fatal(err)
	}
	want := readLines(t, "intelmq-events.jsonl")[1]
	if got := string(e.MarshalFlat(FlatOptions{})); got != want {
		t.Errorf("v1 bytes decode to\n%s\nwant\n%s", got, want)
	}
	// The current reader cannot read them without resolution.
	var direct Event
	if err := direct.UnmarshalAvro(data); err == nil && reflect.DeepEqual(direct, e) {
		t.Log("v1 and v2 encodings happen to agree for this event")
	}
}

func TestAvroResolution(t *testing.T) {
	// A writer with a field we lack, a field of a promotable type, and
	// without most of ours.
	writer := `{"type": "record", "name": "Event", "namespace": "other", "fields": [
		{"name": "feed", "type": {"type": "record", "name": "Feed", "fields": [
			{"name": "name", "type": "string"},
			{"name": "accuracy", "type": ["null", "int"]},
			{"name": "owner", "type": {"type": "array", "items": {"type": "map", "values": "long"}}}]}},
		{"name": "source", "type": {"type": "record", "name": "Src", "fields": [
			{"name": "ip", "type": "string"},
			{"name": "port", "type": ["null", "int"]}]}},
		{"name": "mystery", "type": ["null", "string", {"type": "fixed", "name": "F", "size": 3}]},
		{"name": "time", "type": {"type": "record", "name": "T", "fields": [
			{"name": "source", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}}
	]}`
	s := avro.MustParse(writer)
	data, err := avro.Marshal(s, map[string]any{
		"feed":    map[string]any{"name": "Feed A", "accuracy": map[string]any{"int": 50}, "owner": []any{map[string]any{"x": int64(1)}}},
		"source":  map[string]any{"ip": "192.0.2.1", "port": map[string]any{"int": 443}},
		"mystery": map[string]any{"other.F": [3]byte{1, 2, 3}},
		"time":    map[string]any{"source": int64(1763640000123)},
	})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewEventAvroDecoder(writer)
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	if err := dec.DecodeEvent(data, &e); err != nil {
		t.Fatal(err)
	}
	want := `{"feed.accuracy": 50.0, "feed.name": "Feed A", "source.ip": "192.0.2.1", "source.port": 443, "time.source": "2025-11-20T12:00:00.123000+00:00"}`
	if got := string(e.MarshalFlat(FlatOptions{OmitType: true})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAvroResolutionRefusesIncompatible(t *testing.T) {
	for _, tc := range []struct{ writer, msg string }{
		{`{"type": "record", "name": "E", "fields": [{"name": "source", "type": {"type": "record", "name": "S", "fields": [{"name": "asn", "type": "string"}]}}]}`, "source.asn"},
		{`{"type": "record", "name": "E", "fields": [{"name": "tlp", "type": {"type": "array", "items": "string"}}]}`, "tlp"},
		{`{"type": "record", "name": "E", "fields": [{"name": "time", "type": {"type": "record", "name": "T", "fields": [{"name": "source", "type": "long"}]}}]}`, "time.source"},
		{`"string"`, "not a record"},
	} {
		_, err := NewEventAvroDecoder(tc.writer)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("NewEventAvroDecoder(%s) = %v, want an error naming %s", tc.writer, err, tc.msg)
		}
	}
}

func TestAvroCorruptData(t *testing.T) {
	e := fullEvent(t)
	b := e.AppendAvro(nil)
	for _, cut := range []int{0, 1, len(b) / 2, len(b) - 1} {
		var d Event
		if err := d.UnmarshalAvro(b[:cut]); err == nil {
			t.Errorf("truncated at %d of %d: no error", cut, len(b))
		}
	}
	var d Event
	if err := d.UnmarshalAvro(append(b, 0)); err == nil || !strings.Contains(err.Error(), "left") {
		t.Errorf("trailing byte: %v", err)
	}
}

func TestAvroSchemaVersions(t *testing.T) {
	for _, v := range Versions {
		for _, s := range []string{AvroSchema(v), ReportAvroSchema(v)} {
			if _, err := avro.Parse(s); err != nil {
				t.Fatalf("version %s schema does not parse: %v", v, err)
			}
		}
	}
	old, cur := avro.MustParse(AvroSchema("1.0")), avro.MustParse(AvroSchema(""))
	c := avro.NewSchemaCompatibility()
	if err := c.Compatible(cur, old); err != nil {
		t.Errorf("2.0 cannot read 1.0: %v", err)
	}
	if err := c.Compatible(old, cur); err != nil {
		t.Errorf("1.0 cannot read 2.0: %v", err)
	}
	if strings.Contains(AvroSchema("1.0"), `"tags"`) || !strings.Contains(AvroSchema(""), `"tags"`) {
		t.Error("tags (2.0) in the 1.0 schema or missing from 2.0")
	}
}

func FuzzUnmarshalAvro(f *testing.F) {
	e := fullEvent(f)
	f.Add(e.AppendAvro(nil))
	for _, l := range readLines(f, "intelmq-events.jsonl") {
		var e Event
		if err := e.UnmarshalFlat(l); err == nil {
			f.Add(e.AppendAvro(nil))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Event
		if err := e.UnmarshalAvro(data); err != nil {
			return
		}
		// What decodes re-encodes to the same bytes (the encoding is
		// canonical for what we write) or at least decodes the same.
		var d Event
		if err := d.UnmarshalAvro(e.AppendAvro(nil)); err != nil {
			t.Fatalf("own encoding refused: %v", err)
		}
		if !reflect.DeepEqual(d, e) {
			t.Fatalf("not stable:\n%+v\n%+v", d, e)
		}
	})
}
