package intelmqjson_test

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport/intelmqjson"
)

func newCodec(t *testing.T) (*intelmqjson.Avro, *schemas.Serde) {
	t.Helper()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	reg, err := schemas.NewRegistry([]string{fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return intelmqjson.NewAvro(reg), schemas.NewSerde(reg, schemas.TopicName)
}

// TestRoundTrip: IntelMQ messages written by hand (reports with raw in
// base64, events, no __type) become Avro records the runtime's Serde reads,
// and come back as the same IntelMQ JSON (sorted keys, as our encoder
// writes them).
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	codec, serde := newCodec(t)
	tests := []struct {
		name, in, out string
		report        bool
	}{
		{"report", `{"__type": "Report", "feed.name": "Feed", "raw": "YSxiCjEsMgo=", "time.observation": "2026-03-14T09:26:53+00:00"}`,
			`{"__type": "Report", "feed.name": "Feed", "raw": "YSxiCjEsMgo=", "time.observation": "2026-03-14T09:26:53+00:00"}`, true},
		{"event", `{"source.ip": "192.0.2.1", "__type": "Event", "extra.dho.id": "01900000-0000-7000-8000-000000000001", "classification.type": "scanner"}`,
			`{"__type": "Event", "classification.type": "scanner", "extra.dho.id": "01900000-0000-7000-8000-000000000001", "source.ip": "192.0.2.1"}`, false},
		{"no type is an event", `{"extra.dho.id": "01900000-0000-7000-8000-000000000002", "source.asn": 64496}`,
			`{"__type": "Event", "extra.dho.id": "01900000-0000-7000-8000-000000000002", "source.asn": 64496}`, false},
		{"non-ASCII escaped", `{"__type": "Event", "extra.dho.id": "01900000-0000-7000-8000-000000000003", "event_description.text": "\u00fcber"}`,
			`{"__type": "Event", "event_description.text": "\u00fcber", "extra.dho.id": "01900000-0000-7000-8000-000000000003"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := codec.FromQueue(ctx, tt.name, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if tt.report {
				var r dho.Report
				if err := serde.DecodeReport(ctx, v, &r); err != nil {
					t.Fatalf("the runtime cannot read it: %v", err)
				}
				if string(r.Raw) != "a,b\n1,2\n" {
					t.Errorf("raw = %q", r.Raw)
				}
			} else {
				var e dho.Event
				if err := serde.DecodeEvent(ctx, v, &e); err != nil {
					t.Fatalf("the runtime cannot read it: %v", err)
				}
			}
			back, err := codec.ToQueue(ctx, tt.name, v)
			if err != nil {
				t.Fatal(err)
			}
			if string(back) != tt.out {
				t.Errorf("back on the queue:\n got %s\nwant %s", back, tt.out)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	codec, _ := newCodec(t)
	for _, tt := range []struct{ in, want string }{
		{`not json`, "not a JSON object"},
		{`{"__type": "Digest"}`, `__type "Digest"`},
		{`{"__type": "Event", "source.ip": "300.1.1.1"}`, "source.ip"},
		{`{"__type": "Event", "no.such.field": 1}`, "no.such.field"},
		{`{"__type": "Report", "raw": "YQ=="}`, "carries events"},
	} {
		if _, err := codec.FromQueue(ctx, "q", []byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FromQueue(%s) = %v, want an error naming %q", tt.in, err, tt.want)
		}
	}
	// Bytes not in the wire format (a dead letter) pass unchanged.
	if got, err := codec.ToQueue(ctx, "q.dlq", []byte("raw line")); err != nil || string(got) != "raw line" {
		t.Errorf("ToQueue(raw) = %q, %v", got, err)
	}
}

// FuzzFromQueue: no message makes the codec panic; what it accepts, the
// runtime reads and the codec writes back.
func FuzzFromQueue(f *testing.F) {
	for _, s := range []string{`{"__type": "Event", "source.ip": "192.0.2.1"}`, `{"__type": "Report", "raw": "YQ=="}`, `{}`, `[]`, `{"__type": 1}`} {
		f.Add(s)
	}
	fake := srfake.New()
	defer fake.Close()
	reg, err := schemas.NewRegistry([]string{fake.URL()})
	if err != nil {
		f.Fatal(err)
	}
	codec := intelmqjson.NewAvro(reg)
	f.Fuzz(func(t *testing.T, msg string) {
		typ, err := intelmqjson.MessageType([]byte(msg))
		if err != nil {
			return
		}
		v, err := codec.FromQueue(context.Background(), typ, []byte(msg))
		if err != nil {
			return
		}
		if _, err := codec.ToQueue(context.Background(), typ, v); err != nil {
			t.Fatalf("accepted %q but cannot write it back: %v", msg, err)
		}
	})
}
