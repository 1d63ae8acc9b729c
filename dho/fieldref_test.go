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
