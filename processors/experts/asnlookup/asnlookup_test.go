package asnlookup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

func build(t testing.TB, raw map[string]any) (*Expert, error) {
	x, err := experttest.Build("intelmq.bots.experts.asn_lookup.expert", raw)
	if err != nil {
		return nil, err
	}
	return x.(*Expert), nil
}

func TestProcess(t *testing.T) {
	x, err := build(t, map[string]any{"database": "testdata/ipasn.dat"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		in     map[string]any
		srcASN int64
		srcNet string
		dstASN int64
		dstNet string
	}{
		{"v4", map[string]any{"source.ip": "192.0.2.1"}, 64496, "192.0.2.0/24", 0, ""},
		{"longest prefix", map[string]any{"source.ip": "192.0.2.200"}, 64497, "192.0.2.128/25", 0, ""},
		{"32-bit ASN", map[string]any{"source.ip": "203.0.113.5"}, 4200000000, "203.0.113.0/24", 0, ""},
		{"v6 and destination", map[string]any{"source.ip": "2001:db8:ff01::1", "destination.ip": "2001:db8::1"}, 64500, "2001:db8:ff00::/40", 64499, "2001:db8::/32"},
		{"replaces existing (as IntelMQ)", map[string]any{"source.ip": "198.51.101.1", "source.asn": 1, "source.network": "10.0.0.0/8"}, 64498, "198.51.100.0/22", 0, ""},
		{"unknown address keeps fields", map[string]any{"source.ip": "10.1.1.1", "source.asn": 1}, 1, "", 0, ""},
		{"no IP: unchanged", map[string]any{"source.fqdn": "example.com"}, 0, "", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &dho.Event{}
			for k, v := range tc.in {
				if err := e.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			if err := x.Process(context.Background(), e, func(*dho.Event) {}); err != nil {
				t.Fatal(err)
			}
			asn := func(p *int64) int64 {
				if p == nil {
					return 0
				}
				return *p
			}
			if asn(e.Source.ASN) != tc.srcASN || e.Source.Network != tc.srcNet || asn(e.Destination.ASN) != tc.dstASN || e.Destination.Network != tc.dstNet {
				t.Errorf("source %d %q, destination %d %q", asn(e.Source.ASN), e.Source.Network, asn(e.Destination.ASN), e.Destination.Network)
			}
			if err := e.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestDataAge(t *testing.T) {
	x, err := build(t, map[string]any{"database": "testdata/ipasn.dat", "max_age": "1h"})
	if err != nil {
		t.Fatal(err)
	}
	var _ freshness.Reporter = x
	want := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	if at, ok := x.DataAge(); !ok || !at.Equal(want) {
		t.Errorf("DataAge = %v, want the dump's time %v", at, want)
	}
	if err := x.Health(context.Background()); err == nil {
		t.Error("Health passed with data older than max_age")
	}
	for header, want := range map[string]time.Time{
		"; IP-ASN32-DAT file\n; Converted on  : Tue May 13 22:03:05 2014\n": time.Date(2014, 5, 13, 22, 3, 5, 0, time.UTC),
		"; IP-ASN32-DAT file\n": {},
	} {
		tbl, err := Parse(strings.NewReader(header + "192.0.2.0/24\t1\n"))
		if err != nil || !tbl.Source.Equal(want) {
			t.Errorf("%q: %v %v, want %v", header, tbl.Source, err, want)
		}
	}
}

func TestBad(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"; only a header\n":           "no entries",
		"192.0.2.0/24\n":              "line 1",
		"192.0.2.0/24\tAS1\n":         "out of range",
		"; x\n192.0.2.0/33\t1\n":      "line 2",
		"192.0.2.0/24\t99999999999\n": "out of range",
	} {
		path := filepath.Join(dir, "db.dat")
		os.WriteFile(path, []byte(content), 0o644)
		_, err := build(t, map[string]any{"database": path})
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != "database" || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want a database error with %q", content, err, want)
		}
	}
	if _, err := build(t, map[string]any{"database": "testdata/ipasn.dat", "reload_interval": 0}); err == nil {
		t.Error("reload_interval 0 accepted")
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/ipasn.dat")
	f.Add(string(b))
	f.Add("::/0 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		tbl, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		for p, r := range tbl.routes.All() {
			if asn, _, ok := tbl.Lookup(p.Addr()); !ok || asn <= 0 {
				t.Fatalf("%s (%v) not found after parsing", p, r)
			}
		}
	})
}

func BenchmarkProcess(b *testing.B) {
	x, err := build(b, map[string]any{"database": "testdata/ipasn.dat"})
	if err != nil {
		b.Fatal(err)
	}
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.7"}}})
}
