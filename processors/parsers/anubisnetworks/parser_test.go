package anubisnetworks

import (
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata (NAME.params.json, the input
// NAME.json) and compares with NAME.golden.jsonl byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{
		"use_malware_familiy_as_classification_identifier": {"use_malware_familiy_as_classification_identifier": "perhaps"},
		"unknown parameter": {"use_malware_family_as_classification_identifier": true},
	})
}

// TestFeedURLKey checks that the subscriber's key is cut from feed.url.
func TestFeedURLKey(t *testing.T) {
	r := parsertest.Report(t, []byte(`{"src": {"ip": "192.0.2.1"}}`))
	if err := r.Set("feed.url", "https://feed.example.com/stream?key=secret"); err != nil {
		t.Fatal(err)
	}
	var got *dho.Event
	p := New(Config{FamilyAsIdentifier: true})
	_ = p.Parse(t.Context(), r, func(ev *dho.Event) error { got = ev; return nil }, func(f parsers.Failure) { t.Fatal(f) })
	if got == nil || got.Feed.URL != "https://feed.example.com/stream" {
		t.Fatalf("feed.url: %+v", got)
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	ps := New(Config{FamilyAsIdentifier: true})
	pv := New(Config{})
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, ps, pv) })
}
