package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/processors/experts/asnlookup"
	"github.com/intelstream/intelstream/processors/experts/maxmind"
	"github.com/intelstream/intelstream/processors/experts/maxmind/maxmindtest"
	"github.com/intelstream/intelstream/processors/experts/tornodes"
)

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// mmdbArchive packs a database as MaxMind ships it: a tar.gz with a dated
// directory.
func mmdbArchive(t *testing.T, db []byte) []byte {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "GeoLite2-City_20261120/", Typeflag: tar.TypeDir, Mode: 0o755})
	for name, content := range map[string][]byte{"GeoLite2-City_20261120/COPYRIGHT.txt": []byte("test"), "GeoLite2-City_20261120/GeoLite2-City.mmdb": db} {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content))})
		tw.Write(content)
	}
	tw.Close()
	return gz(tb.Bytes())
}

func updateServer(t *testing.T) *httptest.Server {
	db, err := maxmindtest.CityDB(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		maxmindtest.City{Network: "192.0.2.0/24", CC: "AT"})
	if err != nil {
		t.Fatal(err)
	}
	archive := mmdbArchive(t, db)
	files := map[string][]byte{
		"/exit-addresses": []byte("ExitNode AAAA\nPublished 2026-11-24 01:00:00\nExitAddress 198.51.100.7 2026-11-24 02:00:00\nExitNode BBBB\nExitAddress 2001:db8::7 2026-11-24 03:00:00\nExitAddress 192.0.2.7 2026-11-24 03:00:00\n"),
		"/ipasn.dat.gz":   gz([]byte("; IP-ASN32-DAT file\n; Original source: rib.20261123.1200.bz2\n192.0.2.0/24\t64496\n2001:db8::/32\t64497\n")),
		"/psl.dat":        []byte("// ===BEGIN ICANN DOMAINS===\nat\nco.at\n// ===END ICANN DOMAINS===\n"),
		"/broken":         []byte("this parses as nothing\n"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/app/geoip_download" {
			if r.URL.Query().Get("license_key") != "good-key" || r.URL.Query().Get("edition_id") != "GeoLite2-City" {
				http.Error(w, "Invalid license key", http.StatusUnauthorized)
				return
			}
			w.Write(archive)
			return
		}
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUpdate(t *testing.T) {
	srv := updateServer(t)
	dir := t.TempDir()
	mmdb := filepath.Join(dir, "maxmind", "GeoLite2-City.mmdb")
	tor := filepath.Join(dir, "tor_nodes.dat")
	ipasn := filepath.Join(dir, "ipasn.dat")
	psl := filepath.Join(dir, "psl.dat")

	out, _, err := run(t, "", "update", "maxmind_geoip", "--url", srv.URL+"/app/geoip_download?edition_id=GeoLite2-City&license_key=good-key&suffix=tar.gz", "--file", mmdb)
	if err != nil || !strings.Contains(out, "GeoLite2-City built 2026-11-20") {
		t.Fatalf("maxmind: %q %v", out, err)
	}
	if typ, _, err := maxmind.OpenDatabase(mmdb); err != nil || typ != "GeoLite2-City" {
		t.Errorf("written database: %q %v", typ, err)
	}

	_, _, err = run(t, "", "update", "maxmind_geoip", "--url", srv.URL+"/app/geoip_download?edition_id=GeoLite2-City&license_key=bad-key", "--file", mmdb)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "bad-key") {
		t.Errorf("refused key: %v (the key must not be printed)", err)
	}
	t.Setenv("MAXMIND_LICENSE_KEY", "")
	if _, _, err := run(t, "", "update", "maxmind_asn", "--file", filepath.Join(dir, "asn.mmdb")); err == nil || !strings.Contains(err.Error(), "license key") {
		t.Errorf("no key: %v", err)
	}

	if out, _, err = run(t, "", "update", "tor_nodes", "--url", srv.URL+"/exit-addresses", "--file", tor); err != nil || !strings.Contains(out, "3 exit nodes") {
		t.Fatalf("tor: %q %v", out, err)
	}
	if n, err := tornodes.ParseFile(tor); err != nil || len(n) != 3 {
		t.Errorf("written list: %d %v", len(n), err)
	}

	if out, _, err = run(t, "", "update", "asn_lookup", "--url", srv.URL+"/ipasn.dat.gz", "--file", ipasn); err != nil || !strings.Contains(out, "2 prefixes") {
		t.Fatalf("asn_lookup: %q %v", out, err)
	}
	if tbl, err := asnlookup.ParseFile(ipasn); err != nil || tbl.Source.IsZero() {
		t.Errorf("written dump: %v %v", tbl, err)
	}
	if _, _, err := run(t, "", "update", "asn_lookup", "--file", ipasn); err == nil || !strings.Contains(err.Error(), "--url") {
		t.Errorf("asn_lookup without --url: %v", err)
	}

	if out, _, err = run(t, "", "update", "domain_suffix", "--url", srv.URL+"/psl.dat", "--file", psl); err != nil || !strings.Contains(out, "public suffix list") {
		t.Fatalf("domain_suffix: %q %v", out, err)
	}
}

func TestUpdateKeepsOldFile(t *testing.T) {
	srv := updateServer(t)
	dir := t.TempDir()
	tor := filepath.Join(dir, "tor_nodes.dat")
	old := []byte("192.0.2.1\n")
	os.WriteFile(tor, old, 0o644)
	for _, u := range []string{"/broken", "/missing"} {
		if _, _, err := run(t, "", "update", "tor_nodes", "--url", srv.URL+u, "--file", tor); err == nil {
			t.Errorf("%s: no error", u)
		}
		if b, _ := os.ReadFile(tor); !bytes.Equal(b, old) {
			t.Errorf("%s: old file changed to %q", u, b)
		}
	}
	if _, _, err := run(t, "", "update", "maxmind_geoip", "--url", srv.URL+"/psl.dat", "--file", filepath.Join(dir, "x.mmdb")); err == nil {
		t.Error("a text file accepted as a database")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if _, _, err := run(t, "", "update", "nothing"); err == nil || !strings.Contains(err.Error(), "known: asn_lookup, domain_suffix") {
		t.Errorf("unknown name: %v", err)
	}
}

// FuzzExtractMMDB feeds downloads of any shape to the archive reader: it
// must return a database or an error, never panic.
func FuzzExtractMMDB(f *testing.F) {
	f.Add(gz([]byte("not a tar")))
	f.Add([]byte("BZh91AY&SY"))
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	f.Fuzz(func(t *testing.T, b []byte) {
		extractMMDB(b)
	})
}
