package schemas

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/dho"
)

func newRegistry(t *testing.T, opts ...srfake.Option) (*srfake.Registry, *Registry) {
	t.Helper()
	fake := srfake.New(opts...)
	t.Cleanup(fake.Close)
	reg, err := NewRegistry([]string{fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return fake, reg
}

func sampleEvent(t *testing.T) *dho.Event {
	t.Helper()
	e, err := dho.ParseEvent([]byte(`{"__type": "Event", "classification.type": "scanner", "extra.count": 3, "extra.dho.source.ip": ["192.0.2.2"], ` +
		`"extra.dho.tags": "a", "feed.name": "Honeypot", "raw": "eA==", "source.asn": 64496, "source.ip": "192.0.2.1", "time.source": "2026-11-20T08:15:00+00:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSubjectStrategies(t *testing.T) {
	tests := []struct {
		s     SubjectStrategy
		topic string
		r     Record
		want  string
	}{
		{TopicName, "events", EventRecord, "events-value"},
		{RecordName, "events", EventRecord, "intelstream.dho.Event"},
		{RecordName, "", ReportRecord, "intelstream.dho.Report"},
		{TopicRecordName, "raw", ReportRecord, "raw-intelstream.dho.Report"},
	}
	for _, tc := range tests {
		got, err := tc.s.Subject(tc.topic, tc.r)
		if err != nil || got != tc.want {
			t.Errorf("%s.Subject(%q, %s) = %q, %v; want %q", tc.s, tc.topic, tc.r, got, err, tc.want)
		}
	}
	if _, err := TopicName.Subject("", EventRecord); err == nil {
		t.Error("topic strategy without a topic accepted")
	}
	for _, name := range []string{"topic", "record", "topic-record", "RecordNameStrategy"} {
		if _, err := ParseSubjectStrategy(name); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseSubjectStrategy("bogus"); err == nil {
		t.Error("bogus strategy accepted")
	}
}

func TestSerdeRoundTripThroughRegistry(t *testing.T) {
	ctx := context.Background()
	_, reg := newRegistry(t)
	w := NewSerde(reg, TopicName)
	e := sampleEvent(t)
	b, err := w.EncodeEvent(ctx, "events", e)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != 0 {
		t.Fatalf("magic byte %d", b[0])
	}
	id, _, err := SchemaID(b)
	if err != nil || id <= 0 {
		t.Fatalf("schema id %d, %v", id, err)
	}
	again, err := w.Prepare(ctx, "events", EventRecord)
	if err != nil || again != id {
		t.Fatalf("second Prepare: %d, %v (first %d)", again, err, id)
	}
	// A reader that knows nothing fetches the schema by id.
	_, reg2 := newRegistry(t)
	_ = reg2
	r := NewSerde(reg, TopicName)
	var d dho.Event
	if err := r.DecodeEvent(ctx, b, &d); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&d, e) {
		t.Fatalf("decoded %+v, want %+v", d, *e)
	}
	// Reports too, under their own subject.
	rep := &dho.Report{}
	if err := rep.Set("feed.name", "Feed"); err != nil {
		t.Fatal(err)
	}
	rb, err := w.EncodeReport(ctx, "raw", rep)
	if err != nil {
		t.Fatal(err)
	}
	var rd dho.Report
	if err := r.DecodeReport(ctx, rb, &rd); err != nil || rd.Feed.Name != "Feed" {
		t.Fatalf("report: %+v, %v", rd, err)
	}
	subs, err := reg.Subjects(ctx)
	if err != nil || !reflect.DeepEqual(subs, []string{"events-value", "raw-value"}) {
		t.Fatalf("subjects %v, %v", subs, err)
	}
}

func TestSerdeReadsOlderVersion(t *testing.T) {
	ctx := context.Background()
	_, reg := newRegistry(t)
	v1, err := Avro(EventRecord, "1.0")
	if err != nil {
		t.Fatal(err)
	}
	id, err := reg.Register(ctx, "events-value", v1)
	if err != nil {
		t.Fatal(err)
	}
	// An old producer writes with the 1.0 schema (hamba's generic encoder,
	// given the record as hamba reads it).
	old, err := dho.ParseEvent([]byte(`{"classification.type": "scanner", "feed.name": "Old feed", "source.ip": "192.0.2.9"}`))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	cur, _ := Avro(EventRecord, "")
	if err := avro.Unmarshal(avro.MustParse(cur), old.AppendAvro(nil), &m); err != nil {
		t.Fatal(err)
	}
	data, err := avro.Marshal(avro.MustParse(v1), m)
	if err != nil {
		t.Fatal(err)
	}
	wire := append(appendHeader(nil, id), data...)
	var e dho.Event
	if err := NewSerde(reg, TopicName).DecodeEvent(ctx, wire, &e); err != nil {
		t.Fatal(err)
	}
	got := string(e.MarshalFlat(dho.FlatOptions{OmitType: true}))
	if want := `{"classification.type": "scanner", "feed.name": "Old feed", "source.ip": "192.0.2.9"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	// The current schema may follow 1.0 under FULL_TRANSITIVE.
	v2, _ := Avro(EventRecord, "")
	if err := Check(FullTransitive, v2, []string{v1}); err != nil {
		t.Fatal(err)
	}
	id2, err := reg.Register(ctx, "events-value", v2)
	if err != nil || id2 == id {
		t.Fatalf("registering 2.0 after 1.0: %d, %v", id2, err)
	}
}

func TestWireFormatErrors(t *testing.T) {
	ctx := context.Background()
	_, reg := newRegistry(t)
	s := NewSerde(reg, TopicName)
	var e dho.Event
	for _, b := range [][]byte{nil, {1, 0, 0, 0, 1}, {0, 0, 0}} {
		if err := s.DecodeEvent(ctx, b, &e); !errors.Is(err, ErrWireFormat) {
			t.Errorf("DecodeEvent(%v) = %v, want ErrWireFormat", b, err)
		}
	}
	if err := s.DecodeEvent(ctx, []byte{0, 0, 0, 0, 99, 2}, &e); err == nil || !strings.Contains(err.Error(), "99") {
		t.Errorf("unknown schema id: %v", err)
	}
}

// editSchema applies fn to the decoded current event schema.
func editSchema(t *testing.T, fn func(root map[string]any)) string {
	t.Helper()
	s, _ := Avro(EventRecord, "")
	var root map[string]any
	if err := json.Unmarshal([]byte(s), &root); err != nil {
		t.Fatal(err)
	}
	fn(root)
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fieldsOf(rec map[string]any) []any { return rec["fields"].([]any) }

func findField(rec map[string]any, name string) map[string]any {
	for _, f := range fieldsOf(rec) {
		if m := f.(map[string]any); m["name"] == name {
			return m
		}
	}
	return nil
}

func TestEvolution(t *testing.T) {
	cur, _ := Avro(EventRecord, "")
	addOptional := editSchema(t, func(root map[string]any) {
		// destination defines the Endpoint record that source refers to.
		ep := findField(root, "destination")["type"].(map[string]any)
		ep["fields"] = append(fieldsOf(ep), map[string]any{"name": "new_field", "type": []any{"null", "string"}, "default": nil})
	})
	retype := editSchema(t, func(root map[string]any) {
		// destination is defined first in the schema, and source refers to it.
		dst := findField(root, "destination")["type"].(map[string]any)
		findField(dst, "asn")["type"] = []any{"null", "string"}
	})
	withRequired := editSchema(t, func(root map[string]any) {
		root["fields"] = append(fieldsOf(root), map[string]any{"name": "ticket", "type": "string"})
	})
	tests := []struct {
		name    string
		level   Level
		schema  string
		earlier []string
		field   string // "" = compatible
	}{
		{"add optional field backward", Backward, addOptional, []string{cur}, ""},
		{"add optional field full", Full, addOptional, []string{cur}, ""},
		{"change type backward", Backward, retype, []string{cur}, "destination.asn"},
		{"change type forward", Forward, retype, []string{cur}, "destination.asn"},
		{"remove required field forward", Forward, cur, []string{withRequired}, "ticket"},
		{"remove required field backward is fine", Backward, cur, []string{withRequired}, ""},
		{"add required field backward", Backward, withRequired, []string{cur}, "ticket"},
		{"transitive checks the oldest", BackwardTransitive, cur, []string{retype, addOptional}, "destination.asn"},
		{"non-transitive checks the latest only", Backward, cur, []string{retype, addOptional}, ""},
		{"none", None, retype, []string{cur}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.level, tc.schema, tc.earlier)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want compatible, got %v", err)
				}
				return
			}
			var ie *IncompatibleError
			if !errors.As(err, &ie) || ie.Field != tc.field || !errors.Is(err, ErrIncompatible) {
				t.Fatalf("want an IncompatibleError for %s, got %v", tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("message %q does not name %s", err, tc.field)
			}
		})
	}
}

// TestRegisterRefusesIncompatible: srfake answers every compatibility
// check with "compatible"; our local check must refuse before registering.
func TestRegisterRefusesIncompatible(t *testing.T) {
	ctx := context.Background()
	_, reg := newRegistry(t)
	cur, _ := Avro(EventRecord, "")
	if _, err := reg.Register(ctx, "events-value", cur); err != nil {
		t.Fatal(err)
	}
	retype := editSchema(t, func(root map[string]any) {
		asn := findField(findField(root, "destination")["type"].(map[string]any), "asn")
		asn["type"], asn["default"] = "string", ""
		// The record defaults spell out every leaf.
		for _, side := range []string{"destination", "source"} {
			findField(root, side)["default"].(map[string]any)["asn"] = ""
		}
	})
	if _, err := reg.Register(ctx, "events-value", retype); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "destination.asn") {
		t.Fatalf("Register = %v, want an incompatibility naming destination.asn", err)
	}
	vs, err := reg.Versions(ctx, "events-value")
	if err != nil || len(vs) != 1 {
		t.Fatalf("versions after refusal: %d, %v", len(vs), err)
	}
}

func TestDiffVersions(t *testing.T) {
	v1, _ := Avro(EventRecord, "1.0")
	v2, _ := Avro(EventRecord, "2.0")
	changes, err := Diff(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range changes {
		got[c.Field] = c.Kind
	}
	for _, f := range []string{"id", "tags", "notification.ttl", "severity", "product.name", "destination.geolocation.geoip_cc"} {
		if got[f] != "added" {
			t.Errorf("%s: %q, want added (all: %v)", f, got[f], changes)
		}
	}
	for f, k := range got {
		if k != "added" {
			t.Errorf("%s %s between 1.0 and 2.0", f, k)
		}
	}
	retype := editSchema(t, func(root map[string]any) {
		tlp := findField(root, "tlp")
		tlp["type"], tlp["default"] = "string", "WHITE"
	})
	changes, err = Diff(v2, retype)
	if err != nil || len(changes) != 1 || changes[0].Field != "tlp" || changes[0].Kind != "changed" {
		t.Fatalf("diff = %v, %v", changes, err)
	}
	if !strings.Contains(changes[0].String(), "tlp") {
		t.Errorf("String() = %q", changes[0])
	}
}

func TestRegistryBasicAuth(t *testing.T) {
	ctx := context.Background()
	fake := srfake.New(srfake.WithAuth("Basic " + base64.StdEncoding.EncodeToString([]byte("alice:secret"))))
	defer fake.Close()
	bad, _ := NewRegistry([]string{fake.URL()}, BasicAuth("alice", "wrong"))
	if _, err := bad.Subjects(ctx); err == nil {
		t.Fatal("wrong password accepted")
	}
	good, _ := NewRegistry([]string{fake.URL()}, BasicAuth("alice", "secret"))
	if _, err := good.Subjects(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryTLS(t *testing.T) {
	ctx := context.Background()
	fake := srfake.New()
	defer fake.Close()
	srv := httptest.NewUnstartedServer(fake.Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	untrusted, _ := NewRegistry([]string{srv.URL})
	if _, err := untrusted.Subjects(ctx); err == nil {
		t.Fatal("unknown CA accepted")
	}
	reg, err := NewRegistry([]string{srv.URL}, TLSFiles(ca, "", "", false))
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := Avro(EventRecord, "")
	if _, err := reg.Register(ctx, "events-value", cur); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRegistry([]string{srv.URL}, TLSFiles(filepath.Join(t.TempDir(), "missing.pem"), "", "", false)); err == nil {
		t.Fatal("missing CA file accepted")
	}
}

func TestLevels(t *testing.T) {
	for _, l := range Levels {
		got, err := ParseLevel(strings.ToLower(string(l)))
		if err != nil || got != l {
			t.Errorf("ParseLevel(%s) = %s, %v", l, got, err)
		}
	}
	if _, err := ParseLevel("sideways"); err == nil {
		t.Error("bad level accepted")
	}
}

func TestSerdeDigests(t *testing.T) {
	ctx := context.Background()
	_, reg := newRegistry(t)
	w := NewSerde(reg, TopicName)
	d := &dho.Digest{Recipient: "abuse@example.net", Template: "scan", Count: 1, Events: []dho.Event{*sampleEvent(t)}}
	b, err := w.EncodeDigest(ctx, "notify", d)
	if err != nil {
		t.Fatal(err)
	}
	// A reader that knows nothing fetches the schema by id and finds it is
	// the current digest schema.
	r := NewSerde(reg, TopicName)
	var got dho.Digest
	if err := r.DecodeDigest(ctx, b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Recipient != d.Recipient || len(got.Events) != 1 || !reflect.DeepEqual(got.Events[0], d.Events[0]) {
		t.Fatalf("decoded %+v", got)
	}
	// An event is no digest.
	eb, err := w.EncodeEvent(ctx, "events", sampleEvent(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.DecodeDigest(ctx, eb, &got); err == nil || !strings.Contains(err.Error(), "not the current DHO digest schema") {
		t.Fatalf("an event decoded as a digest: %v", err)
	}
	if rec, err := ParseRecord("Digest"); err != nil || rec != DigestRecord || rec.FullName() != "intelstream.dho.Digest" {
		t.Fatalf("ParseRecord: %v %v", rec, err)
	}
	if _, err := Avro(DigestRecord, "1.0"); err == nil || !strings.Contains(err.Error(), "digests exist since DHO 2.0") {
		t.Fatalf("digest at 1.0: %v", err)
	}
}
