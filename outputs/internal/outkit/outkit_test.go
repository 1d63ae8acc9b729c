package outkit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {"-4", 0}, {"junk", 0}, {"9999", 5 * time.Minute},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := RetryAfter(tc.v, now); got != tc.want {
			t.Errorf("RetryAfter(%q) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestCheckResponse(t *testing.T) {
	for _, tc := range []struct {
		code      int
		transient bool
		ok        bool
	}{
		{200, false, true}, {204, false, true}, {400, false, false}, {401, false, false}, {404, false, false},
		{408, true, false}, {429, true, false}, {500, true, false}, {501, false, false}, {502, true, false}, {503, true, false},
	} {
		rec := httptest.NewRecorder()
		rec.Header().Set("Retry-After", "2")
		rec.WriteHeader(tc.code)
		rec.WriteString("the reason")
		err := CheckResponse(rec.Result())
		if (err == nil) != tc.ok || topology.IsTransient(err) != tc.transient {
			t.Errorf("%d: %v", tc.code, err)
		}
		var se *StatusError
		if err != nil && (!errors.As(err, &se) || se.RetryAfter != 2*time.Second || !strings.Contains(err.Error(), "the reason")) {
			t.Errorf("%d: %v", tc.code, err)
		}
	}
}

func TestEventIDIsStable(t *testing.T) {
	e := &dho.Event{}
	if err := e.Set("source.ip", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	a, b := EventID(e), EventID(e.Clone())
	if a != b || len(a) != 36 || e.ID != "" {
		t.Errorf("ids %q %q, event id %q", a, b, e.ID)
	}
	e.ID = "given"
	if EventID(e) != "given" {
		t.Error("a given id is not kept")
	}
	if err := e.Set("source.port", 80); err != nil {
		t.Fatal(err)
	}
	e.ID = ""
	if EventID(e) == a {
		t.Error("another event, the same id")
	}
}

func TestTLSConfig(t *testing.T) {
	if _, err := (TLSOptions{CertFile: "x"}).Config(); err == nil {
		t.Error("a certificate without key accepted")
	}
	if _, err := (TLSOptions{CAFile: "no/such/file"}).Config(); err == nil {
		t.Error("a missing CA file accepted")
	}
	c, err := TLSOptions{}.Config()
	if err != nil || !c.InsecureSkipVerify {
		t.Errorf("%v %v", c, err)
	}
}

func TestRetry(t *testing.T) {
	calls := 0
	err := Retry(context.Background(), 3, time.Millisecond, func() error {
		calls++
		return topology.Transient(&StatusError{Code: 503, RetryAfter: 2 * time.Millisecond})
	})
	if calls != 3 || !topology.IsTransient(err) {
		t.Errorf("%d calls, %v", calls, err)
	}
	calls = 0
	err = Retry(context.Background(), 5, time.Millisecond, func() error {
		calls++
		if calls < 2 {
			return topology.Transient(errors.New("again"))
		}
		return errors.New("for good")
	})
	if calls != 2 || err == nil || topology.IsTransient(err) {
		t.Errorf("%d calls, %v", calls, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Retry(ctx, 5, time.Second, func() error { return topology.Transient(errors.New("x")) })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestNest(t *testing.T) {
	got, err := Nest([]byte(`{"source.ip": "192.0.2.1", "source.port": 80, "extra.a.b": [1], "tlp": "RED"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"extra":{"a":{"b":[1]}},"source":{"ip":"192.0.2.1","port":80},"tlp":"RED"}`; string(got) != want {
		t.Errorf("%s, want %s", got, want)
	}
	if _, err := Nest([]byte(`[1]`)); err == nil {
		t.Error("a list nested")
	}
}

func TestExport(t *testing.T) {
	e := &dho.Event{}
	for k, v := range map[string]any{"source.ip": "192.0.2.1", "raw": []byte("line"), "extra.n": 1, "output": `{"a": 1}`} {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		x    Export
		want string
	}{
		{Export{}, `{"extra.n": 1, "output": "{\"a\": 1}", "source.ip": "192.0.2.1"}`},
		{Export{KeepRaw: true, WithType: true}, `{"__type": "Event", "extra.n": 1, "output": "{\"a\": 1}", "raw": "bGluZQ==", "source.ip": "192.0.2.1"}`},
		{Export{JSONDictAsString: true}, `{"output": "{\"a\": 1}", "source.ip": "192.0.2.1", "extra": "{\"n\":1}"}`},
		{Export{Hierarchical: true}, `{"extra":{"n":1},"output":"{\"a\": 1}","source":{"ip":"192.0.2.1"}}`},
		{Export{SingleKey: "raw"}, `line`},
		{Export{SingleKey: "output"}, `{"a": 1}`},
		{Export{SingleKey: "source.ip"}, `192.0.2.1`},
		{Export{SingleKey: "source.port"}, ``},
	} {
		got, err := tc.x.Body(e)
		if err != nil || string(got) != tc.want {
			t.Errorf("%+v: %s (%v), want %s", tc.x, got, err, tc.want)
		}
	}
	if e.Raw == nil || len(e.Extra) != 1 {
		t.Error("Body changed the event")
	}
}

func TestExpandIntelMQ(t *testing.T) {
	e := &dho.Event{}
	e.Set("source.asn", 64496)
	e.Set("classification.type", "phishing")
	if got := ExpandIntelMQ("intel.{ev[classification.type]}.{ev[source.asn]}.{ev[source.ip]}", e); got != "intel.phishing.64496." {
		t.Errorf("%q", got)
	}
}

// FuzzRetryAfter: any header value gives a wait from 0 to 5 minutes.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "3", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999", "1e3"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := RetryAfter(v, now); d < 0 || d > 5*time.Minute {
			t.Errorf("RetryAfter(%q) = %s", v, d)
		}
	})
}
