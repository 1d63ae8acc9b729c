package enrich

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

func TestAdd(t *testing.T) {
	e := &dho.Event{}
	if ok, err := Add(e, "source.asn", "AS64496", false); !ok || err != nil || *e.Source.ASN != 64496 {
		t.Fatalf("first add: %v %v", ok, err)
	}
	if ok, _ := Add(e, "source.asn", 64497, false); ok || *e.Source.ASN != 64496 {
		t.Error("overwrite=false replaced a value")
	}
	if ok, _ := Add(e, "source.asn", 64497, true); !ok || *e.Source.ASN != 64497 {
		t.Error("overwrite=true kept the old value")
	}
	if _, err := Add(e, "source.asn", "not an asn", true); err == nil {
		t.Error("invalid value accepted")
	}
}

func TestSides(t *testing.T) {
	e := &dho.Event{Source: dho.Endpoint{IP: []string{"::ffff:192.0.2.1"}}}
	s := Sides(e)
	if a, ok := s[0].IP(); !ok || a.String() != "192.0.2.1" {
		t.Errorf("source IP %v %v", a, ok)
	}
	if _, ok := s[1].IP(); ok || s[1].Prefix != "destination." {
		t.Error("destination has no IP")
	}
}

func TestLookupError(t *testing.T) {
	tests := []struct {
		err       error
		transient bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("query: %w", &net.DNSError{Err: "timeout", IsTimeout: true}), true},
		{&net.DNSError{Err: "server misbehaving", IsTemporary: true}, true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, false},
		{errors.New("bad answer"), false},
	}
	for _, tc := range tests {
		if got := topology.IsTransient(LookupError(tc.err)); got != tc.transient {
			t.Errorf("%v: transient %v, want %v", tc.err, got, tc.transient)
		}
	}
	if LookupError(nil) != nil {
		t.Error("nil error")
	}
}
