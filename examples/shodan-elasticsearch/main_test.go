package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/examples/shodan-elasticsearch/shodanes"
)

// TestShodanToElasticsearch streams the bundled banners from the demo
// stream into the in-process Elasticsearch and checks every document.
func TestShodanToElasticsearch(t *testing.T) {
	es, err := shodanes.StartDemoES()
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	var out bytes.Buffer
	// The demo stream starts inside run when there is no API key.
	if err := run(context.Background(), "", es.URL, map[string]string{"es.elastic_index": "shodan-test"}, time.Second, &out); err != nil {
		t.Fatal(err)
	}
	docs := es.Docs("shodan-test")
	// 8 banners, one from a private address that the sieve drops.
	var got []string
	for id, raw := range docs {
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d["id"] != id {
			t.Errorf("document %s has id %v: the event id must be the _id", id, d["id"])
		}
		got = append(got, fmt.Sprintf("%v %v %v", d["source.ip"], d["classification.taxonomy"], d["classification.type"]))
	}
	sort.Strings(got)
	want := []string{
		"192.0.2.17 vulnerable vulnerable-system",
		"192.0.2.18 other other",
		"198.51.100.5 vulnerable potentially-unwanted-accessible",
		"198.51.100.6 vulnerable vulnerable-system",
		"2001:db8::25 other other",
		"203.0.113.40 vulnerable potentially-unwanted-accessible",
		"203.0.113.41 vulnerable vulnerable-system",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("documents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tpl := es.Templates(); len(tpl) != 1 {
		t.Fatalf("index templates %v, want one", tpl)
	}
}

// TestDemoStreamChecksKey: a wrong key gets 401 from the demo stream, as
// from Shodan's.
func TestDemoStreamChecksKey(t *testing.T) {
	s, err := shodanes.StartDemoStream("right")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get(s.URL + "/shodan/banners?key=wrong")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
}
