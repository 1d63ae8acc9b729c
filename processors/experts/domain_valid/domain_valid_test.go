package domainvalid

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
)

func TestValid(t *testing.T) {
	for name, want := range map[string]bool{
		"example.com": true, "a-b.example.org": true, "xn--d1acj3b.xn--p1ai": true, "123.example.net": true,
		"localhost": false, "under_score.example.com": false, "-lead.example.com": false, "trail-.example.com": false,
		"a..b.com": false, "example.c0m1": false, "example.123": false, strings.Repeat("a", 64) + ".com": false,
		strings.Repeat("abcdefgh.", 30) + "com": false,
	} {
		if Valid(name) != want {
			t.Errorf("%s: %v", name, !want)
		}
	}
}

func TestProcess(t *testing.T) {
	list := filepath.Join("testdata", "tlds.txt")
	tests := []struct {
		params map[string]any
		event  map[string]any
		pass   bool
	}{
		{nil, map[string]any{"source.fqdn": "www.example.com"}, true},
		{nil, map[string]any{"source.fqdn": "www.example.de"}, false}, // TLD not in the list
		{nil, map[string]any{"source.fqdn": "_dmarc.example.com"}, false},
		{nil, map[string]any{"source.fqdn": "пример.рф"}, true}, // stored as punycode, TLD xn--p1ai
		{nil, map[string]any{"source.fqdn": []string{"a.example.com", "b.example.at"}}, true},
		{nil, map[string]any{"source.fqdn": []string{"a.example.com", "b.example.zz"}}, false},
		{nil, map[string]any{"source.ip": "192.0.2.1"}, false}, // no field: dropped
		{map[string]any{"domain_field": "destination.reverse_dns"}, map[string]any{"destination.reverse_dns": "host.example.net"}, true},
		{map[string]any{"domain_field": "extra.domain"}, map[string]any{"extra.domain": "Example.ORG"}, true},
	}
	for _, tc := range tests {
		params := map[string]any{"tlds_domains_list": list}
		for k, v := range tc.params {
			params[k] = v
		}
		x := experttest.New(t, "intelmq.bots.experts.domain_valid.expert", params)
		out, err := experttest.Run(t, x, experttest.Event(t, tc.event))
		if err != nil || (len(out) == 1) != tc.pass {
			t.Errorf("%v: emitted %d, error %v, want pass %v", tc.event, len(out), err, tc.pass)
		}
	}
}

func TestDataAge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tlds.txt")
	os.WriteFile(file, []byte("COM\n"), 0o644)
	old := time.Now().Add(-10 * 24 * time.Hour).Truncate(time.Second)
	os.Chtimes(file, old, old)
	x := experttest.New(t, Name, map[string]any{"tlds_domains_list": file, "max_age": "168h"}).(*Expert)
	var _ freshness.Reporter = x
	if got, ok := x.DataAge(); !ok || !got.Equal(old) {
		t.Errorf("DataAge %v %v", got, ok)
	}
	var stale *freshness.StaleError
	if err := x.Health(context.Background()); !errors.As(err, &stale) {
		t.Errorf("Health: %v", err)
	}
}

func TestBadParams(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.txt")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{}, Want: "parameter tlds_domains_list: required"},
		{Params: map[string]any{"tlds_domains_list": filepath.Join(t.TempDir(), "missing")}, Want: "parameter tlds_domains_list"},
		{Params: map[string]any{"tlds_domains_list": empty}, Want: "no entries"},
		{Params: map[string]any{"tlds_domains_list": filepath.Join("testdata", "tlds.txt"), "domain_field": "source.fqnd"}, Want: "parameter domain_field"},
		{Params: map[string]any{"tlds_domains_list": filepath.Join("testdata", "tlds.txt"), "domain_field": "source.asn"}, Want: "does not hold text"},
	})
}
