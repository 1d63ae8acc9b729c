package sieve

import (
	"reflect"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

// TestDirectMatchesGet checks that every field but extra is read directly
// and that a direct read gives what Event.Get gives, set or not.
func TestDirectMatchesGet(t *testing.T) {
	full := experttest.Event(t, map[string]any{
		"source.ip": []string{"192.0.2.1", "192.0.2.2"}, "source.port": []int64{80, 443}, "source.asn": 64496,
		"source.geolocation.cc": "DE", "source.geolocation.latitude": 1.5, "source.tor_node": false, "source.as_name": "AS",
		"destination.reverse_dns": "h.example", "destination.urlpath": "/x", "time.source": "2024-01-01T00:00:00+00:00",
		"feed.accuracy": 50.0, "rtir_id": 7, "raw": "line", "malware.hash.md5": "abc", "misp.attribute_uuid": "12345678-1234-1234-1234-123456789abc",
		"notification.ttl": 60, "event_description.text": "t", "screenshot_url": "http://example.com/s.png", "id": "01890a5d-ac96-774b-bcce-b302099a8057",
		"tags": "x", "product.vulnerabilities": "cve-2024-1",
	})
	for _, f := range dho.Fields() {
		if f.Name == "extra" {
			continue
		}
		d, ok := directs[f.Name]
		if !ok {
			t.Errorf("%s is not read directly", f.Name)
			continue
		}
		for _, e := range []*dho.Event{full, {}} {
			want, wantOK := e.Get(f.Name)
			got, gotOK := d.get(e)
			if gotOK != wantOK || wantOK && !reflect.DeepEqual(deref(got), want) {
				t.Errorf("%s: direct %v %v, Get %v %v", f.Name, deref(got), gotOK, want, wantOK)
			}
		}
	}
}
