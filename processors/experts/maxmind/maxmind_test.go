package maxmind

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/processors/experts/maxmind/maxmindtest"
	"github.com/intelstream/intelstream/topology"
)

var built = time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)

func cityFile(t testing.TB) string {
	t.Helper()
	b, err := maxmindtest.CityDB(built,
		maxmindtest.City{Network: "192.0.2.0/24", CC: "AT", RegisteredCC: "DE", City: "Vienna", Lat: new(48.2), Lon: new(16.37)},
		maxmindtest.City{Network: "198.51.100.0/24", CC: "GH", Lat: new(0.0), Lon: new(0.0)},
		maxmindtest.City{Network: "2001:db8::/32", RegisteredCC: "NL"},
	)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "GeoLite2-City.mmdb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t testing.TB, x topology.Processor[dho.Event, dho.Event], fields map[string]any) *dho.Event {
	t.Helper()
	e := &dho.Event{}
	for k, v := range fields {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var out *dho.Event
	if err := x.Process(context.Background(), e, func(e *dho.Event) { out = e }); err != nil {
		t.Fatal(err)
	}
	if err := out.Validate(); err != nil {
		t.Error(err)
	}
	return out
}

func TestGeoIP(t *testing.T) {
	db := cityFile(t)
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]any // field -> value (nil: unset)
	}{
		{"city record", nil, map[string]any{"source.ip": "192.0.2.1"},
			map[string]any{"source.geolocation.cc": "AT", "source.geolocation.city": "Vienna", "source.geolocation.latitude": 48.2, "source.geolocation.longitude": 16.37}},
		{"registered country", map[string]any{"use_registered": true}, map[string]any{"source.ip": "192.0.2.1"},
			map[string]any{"source.geolocation.cc": "DE"}},
		{"zero coordinates are set", nil, map[string]any{"destination.ip": "198.51.100.3"},
			map[string]any{"destination.geolocation.cc": "GH", "destination.geolocation.latitude": 0.0, "destination.geolocation.city": nil}},
		{"IPv6 without country", nil, map[string]any{"source.ip": "2001:db8::1"},
			map[string]any{"source.geolocation.cc": nil}},
		{"IPv6 registered", map[string]any{"use_registered": true}, map[string]any{"source.ip": "2001:db8::1"},
			map[string]any{"source.geolocation.cc": "NL"}},
		{"unknown address", nil, map[string]any{"source.ip": "203.0.113.1"},
			map[string]any{"source.geolocation.cc": nil, "source.geolocation.latitude": nil}},
		{"existing kept", nil, map[string]any{"source.ip": "192.0.2.1", "source.geolocation.cc": "FR"},
			map[string]any{"source.geolocation.cc": "FR", "source.geolocation.city": "Vienna"}},
		{"overwrite", map[string]any{"overwrite": true}, map[string]any{"source.ip": "192.0.2.1", "source.geolocation.cc": "FR", "source.geolocation.city": "Paris"},
			map[string]any{"source.geolocation.cc": "AT", "source.geolocation.city": "Vienna"}},
		{"no IP: unchanged", nil, map[string]any{"source.fqdn": "example.com"},
			map[string]any{"source.geolocation.cc": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]any{"database": db}
			maps.Copy(params, tc.params)
			x := experttest.New(t, "intelmq.bots.experts.maxmind_geoip.expert", params)
			e := run(t, x, tc.in)
			check(t, e, tc.want)
		})
	}
}

func check(t *testing.T, e *dho.Event, want map[string]any) {
	t.Helper()
	for f, w := range want {
		got, ok := e.Get(f)
		if w == nil {
			if ok {
				t.Errorf("%s = %v, want unset", f, got)
			}
			continue
		}
		if !ok || got != w {
			t.Errorf("%s = %v, want %v", f, got, w)
		}
	}
}

func TestASN(t *testing.T) {
	b, err := maxmindtest.ASNDB(built,
		maxmindtest.ASN{Network: "192.0.2.0/24", Number: 64496, Org: "Example Networks"},
		maxmindtest.ASN{Network: "2001:db8::/32", Number: 64497, Org: "Example v6"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	os.WriteFile(path, b, 0o644)
	x := experttest.New(t, ASNName, map[string]any{"database": path})
	e := run(t, x, map[string]any{"source.ip": "192.0.2.9", "destination.ip": "2001:db8::2", "destination.asn": 1})
	check(t, e, map[string]any{"source.asn": int64(64496), "source.as_name": "Example Networks", "destination.asn": int64(1), "destination.as_name": "Example v6"})
}

func TestFreshness(t *testing.T) {
	db := cityFile(t)
	fresh, err := NewGeoIP(mustParams(t, map[string]any{"database": db, "max_age": time.Since(built) + time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Health(context.Background()); err != nil {
		t.Errorf("Health within max_age: %v", err)
	}
	x, err := NewGeoIP(mustParams(t, map[string]any{"database": db, "max_age": time.Since(built) - time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	var _ freshness.Reporter = x
	if at, ok := x.DataAge(); !ok || !at.Equal(built) {
		t.Errorf("DataAge = %v, want the build time %v", at, built)
	}
	var se *freshness.StaleError
	if err := x.Health(context.Background()); !errors.As(err, &se) {
		t.Errorf("Health of a database built %s: %v", built, err)
	}
}

func mustParams(t *testing.T, raw map[string]any) topology.Params {
	p, err := GeoIPSpec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadParams(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "x.mmdb")
	os.WriteFile(notDB, []byte("this is not a MaxMind database"), 0o644)
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{"database": filepath.Join(dir, "missing.mmdb")}, "database"},
		{map[string]any{"database": notDB}, "database"},
		{map[string]any{"database": ""}, "database"},
		{map[string]any{"database": cityFile(t), "reload_interval": "-1s"}, "reload_interval"},
		{map[string]any{"database": cityFile(t), "use_registered": "sometimes"}, "use_registered"},
	} {
		_, err := experttest.Build(GeoIPName, tc.raw)
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%v: %v, want an error naming %s", tc.raw, err, tc.param)
		}
	}
}

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, GeoIPName, map[string]any{"database": cityFile(b)})
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.7"}}})
}
