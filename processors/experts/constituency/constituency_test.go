package constituency

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

func build(t testing.TB, raw map[string]any) (*Expert, error) {
	x, err := experttest.Build(Name, raw)
	if err != nil {
		return nil, err
	}
	return x.(*Expert), nil
}

func event(t testing.TB, fields map[string]any) *dho.Event {
	t.Helper()
	e := &dho.Event{}
	for k, v := range fields {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func process(t testing.TB, x *Expert, e *dho.Event) *dho.Event {
	t.Helper()
	var out []*dho.Event
	if err := x.Process(context.Background(), e, func(e *dho.Event) { out = append(out, e) }); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d events emitted", len(out))
	}
	return out[0]
}

var testFiles = []string{"testdata/members.csv", "testdata/national.json"}

func TestMatch(t *testing.T) {
	x, err := build(t, map[string]any{"files": testFiles, "sides": "source,destination"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   map[string]any
		want map[string]string // field -> value; "" means unset
		tags []string
	}{
		{"IPv4 network", map[string]any{"source.ip": "192.0.2.5"},
			map[string]string{"extra.organisation": "Example Energy AG", "extra.sector": "energy", "source.abuse_contact": "cert@energy.example"},
			[]string{"critical", "energy"}},
		{"longest prefix wins", map[string]any{"source.ip": "192.0.2.200"},
			map[string]string{"extra.organisation": "Example Energy Grid", "source.abuse_contact": "grid-soc@energy.example"}, []string{"critical"}},
		{"single address", map[string]any{"source.ip": "198.51.100.7"},
			map[string]string{"extra.organisation": "Example Hospital", "extra.sector": "health"}, nil},
		{"neighbour of a single address", map[string]any{"source.ip": "198.51.100.8"},
			map[string]string{"extra.organisation": ""}, nil},
		{"IPv6", map[string]any{"source.ip": "2001:db8:e::1"},
			map[string]string{"extra.organisation": "Example Energy AG"}, []string{"critical", "energy"}},
		{"ASN when the IP matches nothing", map[string]any{"source.ip": "10.0.0.1", "source.asn": 64501},
			map[string]string{"extra.organisation": "Example Hospital"}, nil},
		{"IP before ASN", map[string]any{"source.ip": "192.0.2.1", "source.asn": 64501},
			map[string]string{"extra.organisation": "Example Energy AG"}, []string{"critical", "energy"}},
		{"domain suffix", map[string]any{"source.fqdn": "mail.hospital.example"},
			map[string]string{"extra.organisation": "Example Hospital"}, nil},
		{"longest domain suffix", map[string]any{"source.fqdn": "scada.grid.energy.example"},
			map[string]string{"extra.organisation": "Example Energy Grid"}, []string{"critical"}},
		{"TLD", map[string]any{"source.fqdn": "shop.anything.ex"},
			map[string]string{"extra.organisation": "National Registry"}, []string{"national"}},
		{"not a suffix at a label boundary", map[string]any{"source.fqdn": "nothospital.example"},
			map[string]string{"extra.organisation": ""}, nil},
		{"URL host", map[string]any{"source.url": "https://www.gov.example/login"},
			map[string]string{"extra.organisation": "Ministry of Examples"}, []string{"gov"}},
		{"AS name", map[string]any{"source.as_name": "ministry of examples as"},
			map[string]string{"extra.organisation": "Ministry of Examples"}, []string{"gov"}},
		{"organisation name", map[string]any{"source.as_name": "EXAMPLE HOSPITAL"},
			map[string]string{"extra.organisation": "Example Hospital", "extra.sector": "health"}, nil},
		{"destination", map[string]any{"destination.ip": "203.0.113.9"},
			map[string]string{"extra.organisation": "National Registry", "source.abuse_contact": "cert@registry.example"}, []string{"national"}},
		{"existing contact kept", map[string]any{"source.ip": "192.0.2.5", "source.abuse_contact": "other@example.net"},
			map[string]string{"source.abuse_contact": "other@example.net", "extra.organisation": "Example Energy AG"}, []string{"critical", "energy"}},
		{"existing tags kept", map[string]any{"source.ip": "192.0.2.5", "tags": "feed-x"},
			map[string]string{}, []string{"feed-x", "critical", "energy"}},
		{"no fields: unchanged", map[string]any{"classification.type": "scanner"},
			map[string]string{"extra.organisation": "", "source.abuse_contact": ""}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := process(t, x, event(t, tc.in))
			for f, want := range tc.want {
				v, ok := e.Get(f)
				got := ""
				switch v := v.(type) {
				case string:
					got = v
				case dho.Value:
					got = v.Text()
				}
				if !ok {
					got = ""
				}
				if got != want {
					t.Errorf("%s = %q, want %q", f, got, want)
				}
			}
			if tc.tags != nil && !slices.Equal(e.Tags, tc.tags) {
				t.Errorf("tags = %v, want %v", e.Tags, tc.tags)
			}
			if err := e.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	x, err := build(t, map[string]any{"files": testFiles, "contact_field": "notification.recipient", "overwrite": true,
		"organisation_field": "extra.constituency", "sector_field": ""})
	if err != nil {
		t.Fatal(err)
	}
	e := process(t, x, event(t, map[string]any{"source.ip": "192.0.2.5", "destination.ip": "203.0.113.1",
		"notification.recipient": "old@example.net"}))
	if e.Notification.Recipient != "cert@energy.example" || e.Source.AbuseContact != "" {
		t.Errorf("recipient %q, abuse contact %q", e.Notification.Recipient, e.Source.AbuseContact)
	}
	if _, ok := e.Extra["sector"]; ok {
		t.Error("sector set though sector_field is empty")
	}
	if v := e.Extra["constituency"]; v.Text() != "Example Energy AG" {
		t.Errorf("extra.constituency = %v (destination must not be matched by default)", v)
	}
}

func TestBadParams(t *testing.T) {
	tests := []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{}, "files"},
		{map[string]any{"files": testFiles, "sides": "both"}, "sides"},
		{map[string]any{"files": testFiles, "contact_field": "source.no_such"}, "contact_field"},
		{map[string]any{"files": testFiles, "name_field": "nope"}, "name_field"},
		{map[string]any{"files": testFiles, "reload_interval": "0s"}, "reload_interval"},
		{map[string]any{"dsn": "postgres://a b:c@"}, "dsn"},
		{map[string]any{"files": testFiles, "overwrite": "perhaps"}, "overwrite"},
	}
	for _, tc := range tests {
		_, err := build(t, tc.raw)
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%v: error %v, want one naming %s", tc.raw, err, tc.param)
		}
	}
}

func TestBadData(t *testing.T) {
	tests := []struct{ file, content, want string }{
		{"a.csv", "organisation,networks\nA,192.0.2.1/24\n", "host bits set"},
		{"a.csv", "organisation,networks\nA,192.0.2.0/24\nB,192.0.2.0/24\n", "already belongs to A"},
		{"a.csv", "organisation,asns\nA,ASX\n", "not a number"},
		{"a.csv", "organisation,colour\nA,blue\n", `unknown column "colour"`},
		{"a.csv", "sector\nenergy\n", "no organisation column"},
		{"a.csv", "organisation,sector\nA,energy\n", "no network, ASN, domain or name"},
		{"a.json", `[{"organisation": "A", "network": ["192.0.2.0/24"]}]`, "unknown field"},
		{"a.csv", "organisation,names\nA,Same Name\nB,same name\n", `name "same name" already belongs to A`},
		{"a.csv", "organisation,names\nA,B\nB,x\n", `name "b" already belongs to A`},
	}
	for _, tc := range tests {
		path := filepath.Join(t.TempDir(), tc.file)
		os.WriteFile(path, []byte(tc.content), 0o644)
		_, err := build(t, map[string]any{"files": path})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.content, err, tc.want)
		}
	}
}

func TestSeveralRowsOfOneOrganisation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(path, []byte("organisation,networks\nA,192.0.2.0/25\nA,192.0.2.128/25\n"), 0o644)
	x, err := build(t, map[string]any{"files": path})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := x.Get().ByName("a"); !ok || m.Networks[0] != "192.0.2.0/25" {
		t.Errorf("name of the organisation: %v %v", m, ok)
	}
}

func TestReloadAndFreshness(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	write := func(content string, mtime time.Time) {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, mtime, mtime)
	}
	old := time.Now().Add(-48 * time.Hour)
	write("organisation,networks\nOld Org,192.0.2.0/24\n", old)
	x, err := build(t, map[string]any{"files": path, "max_age": "24h", "reload_interval": "1ms"})
	if err != nil {
		t.Fatal(err)
	}
	var _ freshness.Reporter = x
	if at, ok := x.DataAge(); !ok || !at.Equal(old) {
		t.Errorf("DataAge %v %v, want %v", at, ok, old)
	}
	var se *freshness.StaleError
	if err := x.Health(context.Background()); !errors.As(err, &se) {
		t.Errorf("Health with 48h old data and max_age 24h: %v", err)
	}
	write("organisation,networks\nNew Org,192.0.2.0/24\n", time.Now())
	if err := x.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m, _ := x.Get().ByIP(netip.MustParseAddr("192.0.2.1")); m.Organisation != "New Org" {
		t.Errorf("after Reload: %s", m.Organisation)
	}
	if err := x.Health(context.Background()); err != nil {
		t.Errorf("Health after reload: %v", err)
	}
	// A changed file is picked up by processing alone.
	write("organisation,networks\nNewer Org,192.0.2.0/24\n", time.Now().Add(time.Second))
	deadline := time.Now().Add(5 * time.Second)
	for {
		e := process(t, x, event(t, map[string]any{"source.ip": "192.0.2.1"}))
		if e.Extra["organisation"].Text() == "Newer Org" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("file change not picked up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A broken file keeps the loaded data.
	write("organisation,networks\nBroken,not-a-network\n", time.Now().Add(2*time.Second))
	if err := x.Reload(context.Background()); err == nil {
		t.Error("broken file accepted")
	}
	if m, _ := x.Get().ByIP(netip.MustParseAddr("192.0.2.1")); m.Organisation != "Newer Org" {
		t.Errorf("after failed reload: %s", m.Organisation)
	}
}

func FuzzReadCSV(f *testing.F) {
	b, _ := os.ReadFile("testdata/members.csv")
	f.Add(string(b))
	f.Add("organisation,networks,asns\nA,::/0,AS1\n")
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := ReadCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		tbl, err := NewTable(entries)
		if err != nil {
			return
		}
		tbl.ByIP(netip.MustParseAddr("192.0.2.1"))
		tbl.ByDomain("a.b.example")
	})
}

// bigTable builds a constituency of n distinct networks (IPv4 /24 and
// IPv6 /48 alternating).
func bigTable(n int) (*Table, []netip.Addr) {
	entries := make([]Entry, n)
	probes := make([]netip.Addr, 0, 1024)
	for i := range entries {
		var p netip.Prefix
		if i%2 == 0 {
			v := uint32(i/2) << 8
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v>>24) | 0x40, byte(v >> 16), byte(v >> 8), 0}), 24)
		} else {
			var a [16]byte
			a[0], a[1], a[2], a[3] = 0x20, 0x01, 0x0d, 0xb8
			a[4], a[5] = byte(i>>8), byte(i)
			a[3] ^= byte(i >> 16)
			p = netip.PrefixFrom(netip.AddrFrom16(a), 48)
		}
		entries[i] = Entry{Organisation: fmt.Sprint("org", i), Networks: []string{p.String()}}
		if len(probes) < cap(probes) && rand.IntN(n/1024+1) == 0 {
			probes = append(probes, p.Addr().Next())
		}
	}
	t, err := NewTable(entries)
	if err != nil {
		panic(err)
	}
	return t, probes
}

// BenchmarkLookup1M is one IP lookup against a million networks.
func BenchmarkLookup1M(b *testing.B) {
	t, probes := bigTable(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, ok := t.ByIP(probes[i%len(probes)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

func BenchmarkProcess(b *testing.B) {
	x, err := build(b, map[string]any{"files": testFiles})
	if err != nil {
		b.Fatal(err)
	}
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.5"}}})
}
