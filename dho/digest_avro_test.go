package dho

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
)

func sampleDigest(t *testing.T) *Digest {
	t.Helper()
	d := &Digest{ID: "0190a8e4-7c2e-7000-8000-000000000001", Recipient: "abuse@example.net", Template: "scan",
		Group: "abuse@example.net|scan", Created: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		First: time.Date(2026, 11, 24, 9, 0, 0, 123000, time.UTC), Last: time.Date(2026, 11, 24, 9, 59, 0, 0, time.UTC), Count: 3}
	d.Events = append(d.Events, *fullEvent(t))
	var small Event
	for k, v := range map[string]string{"source.ip": "192.0.2.7", "classification.type": "scanner", "source.abuse_contact": "abuse@example.net"} {
		if err := small.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	d.Events = append(d.Events, small)
	return d
}

func TestDigestAvroRoundTrip(t *testing.T) {
	for _, d := range []*Digest{sampleDigest(t), {Recipient: "only@example.org"}} {
		b := d.AppendAvro(nil)
		var got Digest
		if err := got.UnmarshalAvro(b); err != nil {
			t.Fatal(err)
		}
		if !got.Created.Equal(d.Created) || !got.First.Equal(d.First) || !got.Last.Equal(d.Last) {
			t.Errorf("times %v %v %v, want %v %v %v", got.Created, got.First, got.Last, d.Created, d.First, d.Last)
		}
		got.Created, got.First, got.Last = d.Created, d.First, d.Last
		if !reflect.DeepEqual(&got, d) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, *d)
		}
		if again := got.AppendAvro(nil); !bytes.Equal(again, b) {
			t.Fatal("re-encoding differs")
		}
	}
}

// TestDigestAvroIndependentReader reads our digest bytes with hamba's generic
// decoder and the schema we publish, and ours from hamba's encoder.
func TestDigestAvroIndependentReader(t *testing.T) {
	schema, err := avro.Parse(DigestAvroSchema(""))
	if err != nil {
		t.Fatalf("digest schema: %v", err)
	}
	d := sampleDigest(t)
	var m map[string]any
	if err := avro.Unmarshal(schema, d.AppendAvro(nil), &m); err != nil {
		t.Fatalf("hamba cannot read our bytes: %v", err)
	}
	if m["recipient"] != "abuse@example.net" || m["count"] != int64(3) || len(m["events"].([]any)) != 2 {
		t.Fatalf("hamba read %v", m)
	}
	back, err := avro.Marshal(schema, m)
	if err != nil {
		t.Fatalf("hamba cannot write what it read: %v", err)
	}
	var got Digest
	if err := got.UnmarshalAvro(back); err != nil {
		t.Fatalf("we cannot read hamba's bytes: %v", err)
	}
	if got.Recipient != d.Recipient || len(got.Events) != 2 || !reflect.DeepEqual(got.Events[1], d.Events[1]) {
		t.Fatalf("hamba's bytes decode to %+v", got)
	}
}

func TestDigestAvroBadData(t *testing.T) {
	b := sampleDigest(t).AppendAvro(nil)
	for _, n := range []int{0, 3, len(b) / 2, len(b) - 1} {
		var d Digest
		if err := d.UnmarshalAvro(b[:n]); err == nil || !strings.HasPrefix(err.Error(), "avro digest: ") {
			t.Errorf("%d of %d bytes: %v", n, len(b), err)
		}
	}
	var d Digest
	if err := d.UnmarshalAvro(append(b, 0)); err == nil || !strings.Contains(err.Error(), "1 bytes left") {
		t.Errorf("trailing byte: %v", err)
	}
	if DigestAvroSchema("1.0") != "" {
		t.Error("a digest schema for DHO 1.0, which had none")
	}
}

func FuzzDigestAvro(f *testing.F) {
	f.Add((&Digest{Recipient: "a@example.org", Count: 1, Events: []Event{{}}}).AppendAvro(nil))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Digest
		if err := d.UnmarshalAvro(b); err != nil {
			return
		}
		var again Digest
		if err := again.UnmarshalAvro(d.AppendAvro(nil)); err != nil {
			t.Fatalf("re-encoded digest does not decode: %v", err)
		}
	})
}
