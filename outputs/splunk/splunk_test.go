package splunk

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

func newOutput(t testing.TB, f *fakeHEC, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"url": f.URL, "token": "00000000-1111-2222-3333-444444444444", "ack": f.ack, "ack_interval": "5ms",
		"channel": "0aecf4a5-7b3c-4bb4-9a3b-0d1f2e3c4b5a", "host": "sensor1"}, raw)
	o := outtest.New(t, Spec, New, base)
	o.backoff = time.Millisecond
	return o
}

func TestRequestBytes(t *testing.T) {
	f := newFakeHEC(t, "00000000-1111-2222-3333-444444444444", false)
	o := newOutput(t, f, map[string]any{"index": "intel"})
	events := outtest.Events(t, 2)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	want := ""
	for i, e := range events {
		want += `{"time":` + []string{"1773480413.000", "1773480473.000"}[i] + `,"host":"sensor1","index":"intel","source":"intelstream","sourcetype":"intelmq:event","event":` +
			string(e.MarshalFlat(dho.FlatOptions{OmitType: true})) + `}`
	}
	if len(f.bodies) != 1 || string(f.bodies[0]) != want {
		t.Errorf("body:\n%s\nwant\n%s", f.bodies, want)
	}
	if f.count() != 2 {
		t.Errorf("%d events", f.count())
	}
}

func TestIndexerAcknowledgement(t *testing.T) {
	f := newFakeHEC(t, "00000000-1111-2222-3333-444444444444", true)
	f.polls = 3 // indexed after three polls
	o := newOutput(t, f, map[string]any{"max_bytes": 2048})
	if err := o.Write(context.Background(), outtest.Events(t, 6)); err != nil {
		t.Fatal(err)
	}
	if f.count() != 6 || f.nextAck < 2 {
		t.Errorf("%d events indexed under %d ack ids", f.count(), f.nextAck)
	}
	// An acknowledgement that never comes fails the batch as transient.
	f.lost[f.nextAck] = true
	o = newOutput(t, f, map[string]any{"ack_timeout": "50ms"})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); !topology.IsTransient(err) || !strings.Contains(err.Error(), "acknowledgements still missing") {
		t.Errorf("lost ack: %v", err)
	}
	// Ack on in the output, off at the collector: no ackId comes back.
	plain := newFakeHEC(t, "00000000-1111-2222-3333-444444444444", false)
	o = newOutput(t, plain, map[string]any{"ack": true})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err == nil || topology.IsTransient(err) {
		t.Errorf("ack off at the collector: %v", err)
	}
}

func TestErrorAnswers(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     func(f *fakeHEC) map[string]any
		transient bool
		code      string
	}{
		{"wrong token", func(*fakeHEC) map[string]any { return map[string]any{"token": "wrong"} }, false, "code 4"},
		{"busy, then fine", func(f *fakeHEC) map[string]any { f.busy = 2; return nil }, false, ""},
		{"busy too long", func(f *fakeHEC) map[string]any { f.busy = 5; return nil }, true, "code 9"},
	} {
		f := newFakeHEC(t, "00000000-1111-2222-3333-444444444444", false)
		o := newOutput(t, f, tc.setup(f))
		err := o.Write(context.Background(), outtest.Events(t, 2))
		if tc.code == "" {
			if err != nil || f.count() != 2 {
				t.Errorf("%s: %v, %d events", tc.name, err, f.count())
			}
			continue
		}
		if err == nil || topology.IsTransient(err) != tc.transient || !strings.Contains(err.Error(), tc.code) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestRefusedEventFailsAlone(t *testing.T) {
	f := newFakeHEC(t, "00000000-1111-2222-3333-444444444444", false)
	f.refuse = func(obj map[string]any) bool {
		ev, _ := obj["event"].(map[string]any)
		return ev["source.port"] == float64(1026)
	}
	o := newOutput(t, f, nil)
	err := o.Write(context.Background(), outtest.Events(t, 5))
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[2] == nil {
		t.Fatalf("got %v, want event 2 failed", err)
	}
	if f.count() != 4 {
		t.Errorf("%d events, want 4", f.count())
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"url": "ftp://x", "token": "t"}, Param: "url"},
		{Raw: map[string]any{"url": "http://x"}, Param: "token"},
		{Raw: map[string]any{"url": "http://x", "token": "t", "channel": "not-a-guid"}, Param: "channel"},
		{Raw: map[string]any{"url": "http://x", "token": "t", "max_bytes": 10}, Param: "max_bytes"},
		{Raw: map[string]any{"url": "http://x", "token": "t", "ssl_client_certificate": "c.pem"}, Param: "ssl_ca_certificate"},
	})
}

// The collector is busy, loses acknowledgements and comes back: every
// event is indexed (counted by id: a batch whose acknowledgement was lost
// is sent again).
func TestFaultCollectorBusyAndAcksLost(t *testing.T) {
	f := newFakeHEC(t, "00000000-1111-2222-3333-444444444444", true)
	f.busy = 6
	f.lost[0], f.lost[2] = true, true
	o := newOutput(t, f, map[string]any{"ack_timeout": "100ms", "max_bytes": 20000})
	events := outtest.Events(t, 600)
	distinct := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		seen := map[any]bool{}
		for _, e := range f.events {
			ev, _ := e["event"].(map[string]any)
			seen[ev["extra.dho.id"]] = true
		}
		return len(seen)
	}
	outtest.Run(t, events, o, func() bool { return distinct() == len(events) }, 60*time.Second, topology.Batch(100, 5*time.Millisecond))
}

// FuzzCollectorAnswer feeds arbitrary answers (status and body) to the
// output: it must not panic, and must not take an unreadable answer, or
// one refusing the batch, as success.
func FuzzCollectorAnswer(f *testing.F) {
	f.Add(200, []byte(`{"text":"Success","code":0}`))
	f.Add(400, []byte(`{"text":"Invalid data format","code":6,"invalid-event-number":1}`))
	f.Add(400, []byte(`{"text":"Invalid data format","code":6,"invalid-event-number":-7}`))
	f.Add(503, []byte(`{"text":"Server is busy","code":9}`))
	f.Add(200, []byte(`not json`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			w.Write(body)
		}))
		defer srv.Close()
		p, _ := Spec.Validate(map[string]any{"url": srv.URL, "token": "t", "retries": 1})
		o, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		err = o.Write(context.Background(), outtest.Events(t, 2))
		var a answer
		if err == nil && (status > 299 || json.Unmarshal(body, &a) != nil) {
			t.Errorf("status %d, answer %q taken as success", status, body)
		}
	})
}

// The collector speaks HTTPS: the output trusts it through
// ssl_ca_certificate, and refuses it (for good) without.
func TestTLS(t *testing.T) {
	f := &fakeHEC{token: "tok", pending: map[int64][]map[string]any{}, lost: map[int64]bool{}}
	f.Server = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	defer f.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	o := newOutput(t, f, map[string]any{"token": "tok", "ssl_ca_certificate": ca})
	if err := o.Write(context.Background(), outtest.Events(t, 2)); err != nil || f.count() != 2 {
		t.Fatalf("%v, %d events", err, f.count())
	}
	o = newOutput(t, f, map[string]any{"token": "tok", "retries": 1})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err == nil || topology.IsTransient(err) {
		t.Errorf("an unknown CA: %v, want a permanent error", err)
	}
}
