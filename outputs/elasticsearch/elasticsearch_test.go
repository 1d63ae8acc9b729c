package elasticsearch

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func newOutput(t testing.TB, f *fakeES, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"url": f.URL}, raw)
	o := outtest.New(t, Spec, New, base)
	o.backoff = time.Millisecond
	return o
}

func TestBulkRequestBytes(t *testing.T) {
	f := newFakeES(t)
	o := newOutput(t, f, map[string]any{"rotate_index": "daily"})
	if err := o.Write(context.Background(), outtest.Events(t, 2)); err != nil {
		t.Fatal(err)
	}
	if len(f.bodies) != 1 {
		t.Fatalf("%d bulk requests, want 1", len(f.bodies))
	}
	outtest.Golden(t, "bulk.ndjson", f.bodies[0], *update)
	outtest.Golden(t, "template.json", f.templates["intelstream-intelmq"], *update)
}

func TestIndexNames(t *testing.T) {
	e := outtest.Events(t, 1)[0]
	noTime := &dho.Event{}
	obs := time.Date(2025, 12, 29, 1, 0, 0, 0, time.UTC)
	onlyObs := &dho.Event{}
	onlyObs.Time.Observation = &obs
	for _, tc := range []struct {
		raw  map[string]any
		e    *dho.Event
		want string
	}{
		{map[string]any{}, e, "intelmq"},
		{map[string]any{"rotate_index": "daily"}, e, "intelmq-2026-03-14"},
		{map[string]any{"rotate_index": "weekly"}, e, "intelmq-2026-11"},
		{map[string]any{"rotate_index": "monthly", "elastic_index": "cert"}, e, "cert-2026-03"},
		{map[string]any{"rotate_index": "yearly"}, e, "intelmq-2026"},
		{map[string]any{"index_pattern": "events-%Y.%m.%d-%H"}, e, "events-2026.03.14-09"},
		{map[string]any{"rotate_index": "weekly"}, onlyObs, "intelmq-2026-01"}, // ISO week of 2025-12-29
		{map[string]any{"rotate_index": "daily"}, noTime, "intelmq-2030-01-02"},
	} {
		o := newOutput(t, newFakeES(t), tc.raw)
		o.index.now = func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }
		if got := string(o.index.name(tc.e, nil)); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.raw, got, tc.want)
		}
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"elastic_index": "Upper"}, Param: "elastic_index"},
		{Raw: map[string]any{"index_pattern": "x-%Q"}, Param: "index_pattern"},
		{Raw: map[string]any{"index_pattern": "a b-%Y"}, Param: "index_pattern"},
		{Raw: map[string]any{"url": "ftp://x"}, Param: "url"},
		{Raw: map[string]any{"elastic_port": 0}, Param: "elastic_port"},
		{Raw: map[string]any{"flatten_fields": "extra,output"}, Param: "flatten_fields"},
		{Raw: map[string]any{"bulk_max_bytes": 10}, Param: "bulk_max_bytes"},
		{Raw: map[string]any{"api_key": "k", "http_username": "u"}, Param: "api_key"},
		{Raw: map[string]any{"rotate_index": "hourly"}, Param: "rotate_index"},
	})
}

func TestItemFailures(t *testing.T) {
	f := newFakeES(t)
	o := newOutput(t, f, nil)
	events := outtest.Events(t, 6)
	f.itemStatus[events[0].ID] = []int{429, 429}
	f.itemStatus[events[1].ID] = []int{503}
	f.refuse = func(doc map[string]any) string {
		if doc["source.port"] == float64(1026) { // events[2]
			return "failed to parse field [source.port] of type [long]"
		}
		return ""
	}
	err := o.Write(context.Background(), events)
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[2] == nil || !strings.Contains(pe.Failed[2].Error(), "status 400") {
		t.Fatalf("got %v, want event 2 failed for good", err)
	}
	if n := f.count(); n != 5 {
		t.Errorf("%d documents, want 5", n)
	}
	if len(f.bodies) != 3 {
		t.Errorf("%d bulk requests, want 3 (the batch, then two retries of the refused items)", len(f.bodies))
	}
}

func TestItemRetriesExhaustedFailTheBatchTransiently(t *testing.T) {
	f := newFakeES(t)
	o := newOutput(t, f, map[string]any{"item_retries": 1})
	events := outtest.Events(t, 4)
	f.itemStatus[events[3].ID] = []int{429, 429, 429}
	if err := o.Write(context.Background(), events); !topology.IsTransient(err) {
		t.Fatalf("got %v, want a transient error", err)
	}
	// The runtime writes the batch again: the indexed ones answer 409.
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 4 {
		t.Errorf("%d documents, want 4", n)
	}
}

func TestRequestRefused(t *testing.T) {
	for _, tc := range []struct {
		status    int
		transient bool
	}{{429, true}, {503, true}, {502, true}, {400, false}, {413, false}} {
		f := newFakeES(t)
		f.status = []int{tc.status}
		f.retryAfter = "0"
		o := newOutput(t, f, nil)
		err := o.Write(context.Background(), outtest.Events(t, 2))
		if err == nil || topology.IsTransient(err) != tc.transient || !strings.Contains(err.Error(), fmt.Sprint(tc.status)) {
			t.Errorf("%d: got %v", tc.status, err)
		}
		if err := o.Write(context.Background(), outtest.Events(t, 2)); err != nil || f.count() != 2 {
			t.Errorf("%d: after the refusal: %v, %d documents", tc.status, err, f.count())
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	f := newFakeES(t)
	f.status = []int{429}
	f.retryAfter = "1"
	o := newOutput(t, f, nil)
	start := time.Now()
	err := o.Write(context.Background(), outtest.Events(t, 1))
	if !topology.IsTransient(err) || time.Since(start) < 900*time.Millisecond {
		t.Errorf("got %v after %s, want a transient error after the asked second", err, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	f.status = []int{429}
	if err := o.Write(ctx, outtest.Events(t, 1)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a cancelled wait: %v", err)
	}
}

func TestAuthAndSplit(t *testing.T) {
	f := newFakeES(t)
	f.auth = "ApiKey c2VjcmV0"
	o := newOutput(t, f, map[string]any{"api_key": "c2VjcmV0", "bulk_max_bytes": 2048, "replacement_char": "_"})
	if err := o.Write(context.Background(), outtest.Events(t, 10)); err != nil {
		t.Fatal(err)
	}
	if f.count() != 10 || len(f.bodies) < 3 {
		t.Errorf("%d documents in %d requests, want 10 in several", f.count(), len(f.bodies))
	}
	for _, b := range f.bodies {
		if len(b) > 2048 && strings.Count(string(b), "\n") > 2 {
			t.Errorf("a request of %d bytes holds more than one document", len(b))
		}
	}
	var doc map[string]any
	for _, d := range f.docs["intelmq"] {
		json.Unmarshal(d, &doc)
		break
	}
	if _, ok := doc["source_ip"]; !ok {
		t.Errorf("dots not replaced: %v", doc)
	}
	if !strings.Contains(string(f.templates["intelstream-intelmq"]), `"source_ip"`) {
		t.Error("template keeps the dots")
	}
	bad := newOutput(t, f, map[string]any{"api_key": "wrong"})
	if err := bad.Write(context.Background(), outtest.Events(t, 1)); err == nil || topology.IsTransient(err) {
		t.Errorf("wrong key: %v", err)
	}
}

// The cluster refuses, cuts a request off in the middle and comes back:
// every event is indexed once.
func TestFaultClusterGoesAwayMidBatch(t *testing.T) {
	f := newFakeES(t)
	o := newOutput(t, f, map[string]any{"rotate_index": "daily"})
	events := outtest.Events(t, 1500)
	f.dropAfter = 50 << 10
	f.status = []int{503, 429, 503}
	f.itemStatus[events[700].ID] = []int{429, 503, 429, 503, 429} // beyond item_retries
	f.refuse = nil
	outtest.Run(t, events, o, func() bool { return f.count() == len(events) }, 60*time.Second, topology.Batch(300, 10*time.Millisecond))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts <= len(events) {
		t.Errorf("%d documents received: the faults did not fire", f.attempts)
	}
	var ids []string
	for _, docs := range f.docs {
		for id := range docs {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != len(events) {
		t.Errorf("%d distinct documents, want %d", len(ids), len(events))
	}
}

// FuzzBulkAnswer feeds arbitrary bulk answers to the output: it must
// neither panic nor report success for an answer it cannot read.
func FuzzBulkAnswer(f *testing.F) {
	f.Add([]byte(`{"took":1,"errors":false,"items":[{"create":{"_index":"i","_id":"a","status":201}}]}`))
	f.Add([]byte(`{"errors":true,"items":[{"create":{"status":429,"error":{"type":"x"}}}]}`))
	f.Add([]byte(`{"items":[{}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, answer []byte) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(answer) }))
		defer srv.Close()
		p, _ := Spec.Validate(map[string]any{"url": srv.URL, "template": false, "item_retries": 0})
		o, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		o.backoff = 0
		e := &dho.Event{ID: "01900000-0000-7000-8000-000000000001"}
		err = o.Write(context.Background(), []*dho.Event{e})
		var items bulkResponse
		if json.Unmarshal(answer, &items) != nil && err == nil {
			t.Errorf("unreadable answer %q taken as success", answer)
		}
	})
}
