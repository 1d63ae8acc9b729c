package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

// receiver records requests and answers from a script of status codes.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
	script []int // answers before 200
	after  string
	seen   map[string]int // Idempotency-Key → deliveries
	hangup int            // close this many connections without answering
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{seen: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.hangup > 0 {
			r.hangup--
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		if len(r.script) > 0 {
			code := r.script[0]
			r.script = r.script[1:]
			if r.after != "" {
				w.Header().Set("Retry-After", r.after)
			}
			http.Error(w, "not now", code)
			return
		}
		r.reqs = append(r.reqs, req)
		r.bodies = append(r.bodies, body)
		r.seen[req.Header.Get("Idempotency-Key")]++
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func newOutput(t testing.TB, r *receiver, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"host": r.URL + "/hook"}, raw)
	o := outtest.New(t, Spec, New, base)
	o.backoff = time.Millisecond
	o.now = func() time.Time { return time.Unix(1773480413, 0) }
	return o
}

func TestSignedEventBodies(t *testing.T) {
	r := newReceiver(t)
	o := newOutput(t, r, map[string]any{"hmac_secret": "s3cret", "headers": map[string]any{"X-Team": "cert"}})
	events := outtest.Events(t, 2)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if len(r.reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(r.reqs))
	}
	for i, req := range r.reqs {
		want := events[i].AppendFlat(nil, dho.FlatOptions{OmitType: true})
		if string(r.bodies[i]) != string(want) {
			t.Errorf("body %d:\n%s\nwant\n%s", i, r.bodies[i], want)
		}
		mac := hmac.New(sha256.New, []byte("s3cret"))
		mac.Write([]byte("1773480413." + string(r.bodies[i])))
		if got, want := req.Header.Get("X-Signature-256"), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
			t.Errorf("signature %s, want %s", got, want)
		}
		if req.Header.Get("X-Signature-Timestamp") != "1773480413" || req.Header.Get("Idempotency-Key") != events[i].ID ||
			req.Header.Get("Content-Type") != "application/json" || req.Header.Get("X-Team") != "cert" || req.URL.Path != "/hook" || req.Method != "POST" {
			t.Errorf("request %d: %s %s %v", i, req.Method, req.URL, req.Header)
		}
	}
}

func TestTemplateAndBatch(t *testing.T) {
	r := newReceiver(t)
	tmpl := `{"id": "{{.ID}}", "ips": {{json (field "source.ip")}}, "type": {{json .Event.Classification.Type}}, "count": {{json (field "extra.count")}}}`
	o := newOutput(t, r, map[string]any{"template": tmpl, "batch": true, "method": "PUT"})
	events := outtest.Events(t, 2)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	want := `[{"id": "01900000-0000-7000-8000-000000000000", "ips": ["192.0.2.1","2001:db8::1"], "type": "infected-system", "count": 0},` +
		`{"id": "01900000-0000-7000-8000-000000000001", "ips": ["192.0.2.2","2001:db8::2"], "type": "infected-system", "count": 1}]`
	if len(r.bodies) != 1 || string(r.bodies[0]) != want || r.reqs[0].Method != "PUT" {
		t.Errorf("bodies %q, want one %s", r.bodies, want)
	}
}

func TestHierarchicalAndAuth(t *testing.T) {
	for _, tc := range []struct {
		raw    map[string]any
		header string
		want   string
	}{
		{map[string]any{"auth_type": "http_basic_auth", "auth_token_name": "bot", "auth_token": "pw"}, "Authorization", "Basic Ym90OnB3"},
		{map[string]any{"auth_type": "http_header", "auth_token_name": "X-Api-Key", "auth_token": "k1"}, "X-Api-Key", "k1"},
	} {
		r := newReceiver(t)
		tc.raw["hierarchical_output"] = true
		o := newOutput(t, r, tc.raw)
		if err := o.Write(context.Background(), outtest.Events(t, 1)); err != nil {
			t.Fatal(err)
		}
		if got := r.reqs[0].Header.Get(tc.header); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.header, got, tc.want)
		}
		var doc struct{ Classification map[string]any }
		if err := json.Unmarshal(r.bodies[0], &doc); err != nil || doc.Classification["type"] != "infected-system" {
			t.Errorf("not nested: %s", r.bodies[0])
		}
	}
}

func TestFailureAnswers(t *testing.T) {
	for _, tc := range []struct {
		script    []int
		transient bool
		partial   bool
	}{
		{[]int{429}, false, false},          // retried within the batch
		{[]int{503, 502}, false, false},     // retried within the batch
		{[]int{503, 503, 503}, true, false}, // retries (3) exhausted
		{[]int{400}, false, true},           // refused for good
		{[]int{401}, false, true},
		{[]int{413}, false, true},
	} {
		r := newReceiver(t)
		r.script = tc.script
		o := newOutput(t, r, nil)
		err := o.Write(context.Background(), outtest.Events(t, 1))
		var pe *topology.PartialError
		if topology.IsTransient(err) != tc.transient || errors.As(err, &pe) != tc.partial || (!tc.transient && !tc.partial && err != nil) {
			t.Errorf("%v: %v", tc.script, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	r := newReceiver(t)
	r.script, r.after = []int{429}, "1"
	o := newOutput(t, r, nil)
	start := time.Now()
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("sent again after %s, before the asked second", d)
	}
}

func TestBadTemplateOutput(t *testing.T) {
	r := newReceiver(t)
	o := newOutput(t, r, map[string]any{"template": `{"port": {{field "source.port"}}}`})
	events := outtest.Events(t, 2)
	events[1].Source.Port = nil
	err := o.Write(context.Background(), events)
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || !strings.Contains(pe.Failed[1].Error(), "no valid JSON") || len(r.bodies) != 1 {
		t.Errorf("got %v with %d requests", err, len(r.bodies))
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{"host": "mailto:x@example.org"}, "host"},
		{map[string]any{"template": "{{.Nope"}, "template"},
		{map[string]any{"use_json": false}, "use_json"},
		{map[string]any{"auth_type": "http_header"}, "auth_token_name"},
		{map[string]any{"headers": map[string]any{"X": 1}}, "headers"},
		{map[string]any{"retries": 0}, "retries"},
		{map[string]any{}, "host"},
	} {
		raw := map[string]any{"host": "http://127.0.0.1:1/"}
		if tc.param == "host" {
			raw = map[string]any{}
		}
		for k, v := range tc.raw {
			raw[k] = v
		}
		p, err := Spec.Validate(raw)
		if err == nil {
			_, err = New(p)
		}
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%v: got %v, want an error for parameter %s", tc.raw, err, tc.param)
		}
	}
}

// The receiver hangs up and refuses for a while: every event arrives,
// and the Idempotency-Key lets it count repeats apart.
func TestFaultReceiverGoesAway(t *testing.T) {
	r := newReceiver(t)
	r.hangup = 4
	r.script = []int{503, 503, 503, 429, 503, 503, 503}
	o := newOutput(t, r, map[string]any{"hmac_secret": "k"})
	events := outtest.Events(t, 300)
	outtest.Run(t, events, o, func() bool { return r.distinct() == len(events) }, 60*time.Second, topology.Batch(50, 10*time.Millisecond))
	if r.distinct() != len(events) {
		t.Errorf("%d distinct events, want %d", r.distinct(), len(events))
	}
}
