package feed

import (
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

func TestReport(t *testing.T) {
	spec := topology.Spec{Name: "x", Params: Params()}
	p, err := spec.ValidateIntelMQ(map[string]any{"name": "Feed", "provider": "P", "code": "c", "documentation": "https://example.org", "accuracy": 50}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := New("x", p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.Report([]byte("raw"), time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := string(r.MarshalFlat(dho.FlatOptions{OmitType: true}))
	want := `{"feed.accuracy": 50.0, "feed.code": "c", "feed.documentation": "https://example.org", "feed.name": "Feed", "feed.provider": "P", "raw": "cmF3", "time.observation": "2026-11-20T09:00:00+00:00"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	p, _ = spec.Validate(map[string]any{"feed_accuracy": 101})
	if _, err := New("x", p); err == nil {
		t.Error("accuracy 101 accepted")
	}
}

func TestEmptyValuesLeftUnset(t *testing.T) {
	spec := topology.Spec{Name: "x", Params: Params()}
	p, _ := spec.Validate(map[string]any{"feed_code": "", "feed_name": "N"})
	f, err := New("x", p)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.Report(nil, time.Now())
	if r.Has("feed.code") || r.Feed.Name != "N" {
		t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
	}
}
