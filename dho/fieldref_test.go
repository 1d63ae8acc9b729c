package dho

import (
	"reflect"
	"testing"
	"time"
)

// TestFieldRefCopy copies every kind of storage from a template and checks
// that the copy holds the value and shares nothing with the template.
func TestFieldRefCopy(t *testing.T) {
	src := &Event{}
	for name, v := range map[string]any{
		"classification.type": "scanner",
		"source.ip":           []string{"192.0.2.1", "192.0.2.2"},
		"source.asn":          int64(64496),
		"source.port":         []int64{80, 443},
		"feed.accuracy":       50.0,
		"source.tor_node":     true,
		"time.source":         time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"raw":                 []byte("a,b"),
		"extra":               Extra{"a": String("x")},
	} {
		if err := src.Set(name, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	names := []string{"classification.type", "source.ip", "source.asn", "source.port", "feed.accuracy", "source.tor_node", "time.source", "raw", "extra"}
	dst := &Event{}
	for _, name := range names {
		ref, ok := Ref(name)
		if !ok {
			t.Fatalf("no ref for %s", name)
		}
		ref.Copy(dst, src)
	}
	for _, name := range names {
		a, _ := src.Get(name)
		b, _ := dst.Get(name)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: copied %v, want %v", name, b, a)
		}
	}
	dst.Source.IP[0] = "198.51.100.1"
	*dst.Source.ASN = 1
	dst.Raw[0] = 'z'
	dst.Extra["a"] = String("y")
	if src.Source.IP[0] != "192.0.2.1" || *src.Source.ASN != 64496 || src.Raw[0] != 'a' || src.Extra["a"].str != "x" {
		t.Errorf("the copy shares storage with the template: %+v", src)
	}
	// A field the template does not hold is unset by the copy.
	ref, _ := Ref("classification.type")
	ref.Copy(dst, &Event{})
	if dst.Has("classification.type") {
		t.Error("copying an unset field left the value")
	}
	if ref.Type() != TypeClassificationType {
		t.Errorf("type %v", ref.Type())
	}
}

// TestFieldRefTypedSetters checks SetInt and SetTime against Set: the same
// event or the same refusal, for fields of every storage they meet.
func TestFieldRefTypedSetters(t *testing.T) {
	ints := []int64{0, 1, 80, 65535, 65536, -1, 4294967295, 4294967296, 1 << 40}
	times := []time.Time{time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC), time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("x", 3600)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), {}}
	for _, name := range []string{"source.asn", "source.port", "destination.port", "rtir_id", "misp.attribute_uuid", "time.source", "feed.accuracy", "extra.n"} {
		ref, ok := Ref(name)
		if !ok {
			continue // an extra name
		}
		for _, n := range ints {
			a, b := &Event{}, &Event{}
			errA, errB := ref.SetInt(a, n), b.Set(name, n)
			if (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) || !reflect.DeepEqual(a, b) {
				t.Errorf("%s SetInt(%d): %v %+v; Set: %v %+v", name, n, errA, a, errB, b)
			}
		}
		for _, tm := range times {
			a, b := &Event{}, &Event{}
			errA, errB := ref.SetTime(a, tm), b.Set(name, tm)
			if (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) || !reflect.DeepEqual(a, b) {
				t.Errorf("%s SetTime(%v): %v; Set: %v", name, tm, errA, errB)
			}
		}
	}
}
