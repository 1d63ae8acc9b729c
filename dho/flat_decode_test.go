package dho

import (
	"slices"
	"testing"
)

// TestFieldIndex checks that each record type's field index is collision
// free (not the map fallback) and finds exactly its fields.
func TestFieldIndex(t *testing.T) {
	for k, info := range recs {
		x := fieldIndexes()[k]
		if x.slots == nil {
			t.Errorf("%s: no collision-free field index", info.typeName)
		}
		for _, f := range info.fields {
			if got, ok := x.lookup(f.Name); !ok || got != f {
				t.Errorf("%s: lookup(%q) = %v, %v", info.typeName, f.Name, got, ok)
			}
			for _, near := range []string{f.Name[:len(f.Name)-1], f.Name + "x", "x" + f.Name[1:], ""} {
				if _, ok := info.byName[near]; ok {
					continue
				}
				if got, ok := x.lookup(near); ok {
					t.Errorf("%s: lookup(%q) = %s, want none", info.typeName, near, got.Name)
				}
			}
		}
	}
}

// TestFlatSlab checks that fields whose values share one allocation stay
// apart: appending to a list or writing through a pointer changes no other
// field.
func TestFlatSlab(t *testing.T) {
	var e Event
	err := e.UnmarshalFlat(`{"feed.accuracy": 90, "source.asn": 1, "destination.asn": 2, "source.port": [1, 2, 1], "destination.port": 3,` +
		` "source.ip": ["192.0.2.1", "192.0.2.1"], "source.url": "http://a.example/", "destination.ip": "192.0.2.2",` +
		` "time.source": "2024-01-01T00:00:00+00:00", "time.observation": "2024-01-02T00:00:00+00:00", "source.tor_node": true}`)
	if err != nil {
		t.Fatal(err)
	}
	before := string(e.MarshalFlat(FlatOptions{}))
	e.Source.Port = append(e.Source.Port, 99)
	e.Source.IP = append(e.Source.IP, "192.0.2.99")
	if e.Destination.Port[0] != 3 || e.Source.URL[0] != "http://a.example/" || e.Destination.IP[0] != "192.0.2.2" {
		t.Fatalf("appending to one list changed another: %s", e.MarshalFlat(FlatOptions{}))
	}
	if !slices.Equal(e.Source.Port, []int64{1, 2, 99}) || !slices.Equal(e.Source.IP, []string{"192.0.2.1", "192.0.2.99"}) {
		t.Fatalf("appended lists: %v %v", e.Source.Port, e.Source.IP)
	}
	e.Source.Port = e.Source.Port[:2]
	e.Source.IP = e.Source.IP[:1]
	*e.Source.ASN = 7
	if *e.Destination.ASN != 2 {
		t.Fatalf("writing source.asn changed destination.asn")
	}
	*e.Source.ASN = 1
	if after := string(e.MarshalFlat(FlatOptions{})); after != before {
		t.Fatalf("got %s, want %s", after, before)
	}
}
