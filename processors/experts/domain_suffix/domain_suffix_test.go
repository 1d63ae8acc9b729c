package domainsuffix

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

func TestSuffixFromFile(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"field": "fqdn", "suffix_file": filepath.Join("testdata", "suffixes.dat")}).(*Expert)
	for domain, want := range map[string]string{
		"www.example.com":        "com",
		"example.gv.at":          "gv.at",
		"a.b.example.co.uk":      "co.uk",
		"foo.blogspot.com":       "com", // private rule ignored
		"www.shop.kawasaki.jp":   "shop.kawasaki.jp",
		"city.kawasaki.jp":       "kawasaki.jp", // exception
		"www.city.kawasaki.jp":   "kawasaki.jp",
		"example.jp":             "jp",
		"example.xn--55qx5d.cn":  "xn--55qx5d.cn", // 公司.cn
		"host.unknown":           "unknown",       // default rule
		"co.uk":                  "co.uk",
		"Mixed.Case.Example.COM": "com",
	} {
		if got := x.Suffix(domain); got != want {
			t.Errorf("%s: %q, want %q", domain, got, want)
		}
	}
}

func TestSuffixCompiledIn(t *testing.T) {
	x, err := Open(context.Background(), "fqdn", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for domain, want := range map[string]string{
		"www.example.com":     "com",
		"shop.example.co.uk":  "co.uk",
		"foo.blogspot.com":    "com",
		"foo.blogspot.co.at":  "co.at",
		"example.invalidtld0": "invalidtld0",
	} {
		if got := x.Suffix(domain); got != want {
			t.Errorf("%s: %q, want %q", domain, got, want)
		}
	}
	if _, ok := x.DataAge(); ok {
		t.Error("compiled-in list has an age")
	}
	if err := x.Health(context.Background()); err != nil {
		t.Error(err)
	}
	y, _ := Open(context.Background(), "fqdn", "", time.Hour)
	if err := y.Health(context.Background()); err == nil {
		t.Error("compiled-in list healthy with max_age")
	}
}

func TestProcess(t *testing.T) {
	file := filepath.Join("testdata", "suffixes.dat")
	fq := experttest.New(t, "intelmq.bots.experts.domain_suffix.expert", map[string]any{"field": "fqdn", "suffix_file": file})
	rd := experttest.New(t, Name, map[string]any{"field": "reverse_dns", "suffix_file": file})
	ev := map[string]any{"source.fqdn": []string{"www.example.co.uk", "other.example.com"}, "destination.fqdn": "x.gv.at",
		"source.reverse_dns": "host.example.com", "destination.reverse_dns": "h.city.kawasaki.jp"}
	base := map[string]string{"source.fqdn": "www.example.co.uk,other.example.com", "destination.fqdn": "x.gv.at",
		"source.reverse_dns": "host.example.com", "destination.reverse_dns": "h.city.kawasaki.jp"}
	with := func(src, dst string) map[string]string {
		m := map[string]string{"source.domain_suffix": src, "destination.domain_suffix": dst}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	experttest.Expect(t, fq, experttest.Event(t, ev), with("co.uk", "gv.at"))
	experttest.Expect(t, rd, experttest.Event(t, ev), with("com", "kawasaki.jp"))
	experttest.Expect(t, fq, experttest.Event(t, map[string]any{"feed.name": "x"}), map[string]string{"feed.name": "x"})
}

func TestDataAge(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", "suffixes.dat"))
	file := filepath.Join(t.TempDir(), "list.dat")
	os.WriteFile(file, data, 0o644)
	old := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	os.Chtimes(file, old, old)
	x := experttest.New(t, Name, map[string]any{"field": "fqdn", "suffix_file": file, "max_age": "24h"}).(*Expert)
	var _ freshness.Reporter = x
	if got, ok := x.DataAge(); !ok || !got.Equal(old) {
		t.Errorf("DataAge %v %v, want %v", got, ok, old)
	}
	var stale *freshness.StaleError
	if err := x.Health(context.Background()); !errors.As(err, &stale) {
		t.Errorf("Health: %v", err)
	}
	y := experttest.New(t, Name, map[string]any{"field": "fqdn", "suffix_file": file, "max_age": "72h"}).(*Expert)
	if err := y.Health(context.Background()); err != nil {
		t.Errorf("Health: %v", err)
	}
}

func TestBadParams(t *testing.T) {
	dir := t.TempDir()
	noICANN := filepath.Join(dir, "private.dat")
	os.WriteFile(noICANN, []byte("// ===BEGIN PRIVATE DOMAINS===\nblogspot.com\n"), 0o644)
	badRule := filepath.Join(dir, "bad.dat")
	os.WriteFile(badRule, []byte("// ===BEGIN ICANN DOMAINS===\nfoo.*.bar\n"), 0o644)
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{}, Want: "parameter field: required"},
		{Params: map[string]any{"field": "url"}, Want: "parameter field"},
		{Params: map[string]any{"field": "fqdn", "suffix_file": filepath.Join(dir, "missing.dat")}, Want: "parameter suffix_file"},
		{Params: map[string]any{"field": "fqdn", "suffix_file": noICANN}, Want: "no ICANN rules"},
		{Params: map[string]any{"field": "fqdn", "suffix_file": badRule}, Want: "line 2"},
		{Params: map[string]any{"field": "fqdn", "max_age": "old"}, Want: "parameter max_age"},
	})
}

func FuzzParseList(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("testdata", "suffixes.dat"))
	f.Add(string(data), "www.city.kawasaki.jp")
	f.Fuzz(func(t *testing.T, list, domain string) {
		l, err := ParseList(strings.NewReader(list))
		if err != nil {
			return
		}
		s := l.Suffix(domain)
		d := strings.ToLower(strings.Trim(domain, "."))
		if !strings.HasSuffix(d, s) {
			t.Errorf("suffix %q of %q is not a suffix", s, domain)
		}
	})
}
