package tornodes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

func build(t testing.TB, raw map[string]any) (*Expert, error) {
	x, err := experttest.Build("intelmq.bots.experts.tor_nodes.expert", raw)
	if err != nil {
		return nil, err
	}
	return x.(*Expert), nil
}

func TestProcess(t *testing.T) {
	tri := func(b *bool) string {
		if b == nil {
			return "unset"
		}
		if *b {
			return "true"
		}
		return "false"
	}
	tests := []struct {
		name      string
		db        string
		overwrite bool
		in        map[string]any
		src, dst  string
	}{
		{"source exit", "testdata/tor_nodes.dat", false, map[string]any{"source.ip": "192.0.2.10"}, "true", "unset"},
		{"destination v6", "testdata/tor_nodes.dat", false, map[string]any{"destination.ip": "2001:db8::10"}, "unset", "true"},
		{"not an exit: nothing set", "testdata/tor_nodes.dat", false, map[string]any{"source.ip": "192.0.2.12"}, "unset", "unset"},
		{"existing false kept", "testdata/tor_nodes.dat", false, map[string]any{"source.ip": "192.0.2.10", "source.tor_node": false}, "false", "unset"},
		{"overwrite", "testdata/tor_nodes.dat", true, map[string]any{"source.ip": "192.0.2.10", "source.tor_node": false}, "true", "unset"},
		{"overwrite, not an exit", "testdata/tor_nodes.dat", true, map[string]any{"source.ip": "192.0.2.99", "source.tor_node": false}, "false", "unset"},
		{"Tor's exit list", "testdata/exit-addresses", false, map[string]any{"source.ip": "198.51.100.21"}, "true", "unset"},
		{"no IP: unchanged", "testdata/tor_nodes.dat", false, map[string]any{"source.fqdn": "example.com"}, "unset", "unset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := build(t, map[string]any{"database": tc.db, "overwrite": tc.overwrite})
			if err != nil {
				t.Fatal(err)
			}
			e := &dho.Event{}
			for k, v := range tc.in {
				if err := e.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			if err := x.Process(context.Background(), e, func(*dho.Event) {}); err != nil {
				t.Fatal(err)
			}
			if tri(e.Source.TorNode) != tc.src || tri(e.Destination.TorNode) != tc.dst {
				t.Errorf("source %s, destination %s; want %s, %s", tri(e.Source.TorNode), tri(e.Destination.TorNode), tc.src, tc.dst)
			}
		})
	}
}

func TestBadAndFreshness(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{"# nothing\n": "no entries", "192.0.2.1 extra words\n": "line 1", "not-an-ip\n": "line 1"} {
		path := filepath.Join(dir, "db")
		os.WriteFile(path, []byte(content), 0o644)
		_, err := build(t, map[string]any{"database": path})
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != "database" || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", content, err)
		}
	}
	x, err := build(t, map[string]any{"database": "testdata/tor_nodes.dat", "max_age": "1000000h"})
	if err != nil {
		t.Fatal(err)
	}
	var _ freshness.Reporter = x
	if _, ok := x.DataAge(); !ok {
		t.Error("no data age")
	}
	if err := x.Health(context.Background()); err != nil {
		t.Error(err)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/tor_nodes.dat", "testdata/exit-addresses"} {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(strings.NewReader(s))
		if err == nil && len(n) == 0 {
			t.Fatal("empty list accepted")
		}
	})
}

func BenchmarkProcess(b *testing.B) {
	x, err := build(b, map[string]any{"database": "testdata/tor_nodes.dat"})
	if err != nil {
		b.Fatal(err)
	}
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{IP: []string{"192.0.2.10"}}})
}
