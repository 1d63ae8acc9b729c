package http

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// pgpKey makes a key pair and writes its public key, armored, to a file.
func pgpKey(t *testing.T, name string) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "test", name+"@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := filepath.Join(t.TempDir(), name+".asc")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, path
}

func sign(t *testing.T, e *openpgp.Entity, data []byte, armored bool) []byte {
	t.Helper()
	var sig bytes.Buffer
	var err error
	if armored {
		err = openpgp.ArmoredDetachSign(&sig, e, bytes.NewReader(data), nil)
	} else {
		err = openpgp.DetachSign(&sig, e, bytes.NewReader(data), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig.Bytes()
}

func TestPGPSignatures(t *testing.T) {
	feedKey, keyring := pgpKey(t, "feed")
	otherKey, _ := pgpKey(t, "other")
	data := []byte("192.0.2.1,scanner\n")
	for _, tc := range []struct {
		name    string
		sig     []byte
		body    []byte // served as the data (default data)
		wantErr string
	}{
		{"armored", sign(t, feedKey, data, true), nil, ""},
		{"binary", sign(t, feedKey, data, false), nil, ""},
		{"data changed", sign(t, feedKey, data, true), []byte("192.0.2.2,scanner\n"), "does not check"},
		{"someone else's key", sign(t, otherKey, data, true), nil, "signed by a key not in the keyring"},
		{"not a signature", []byte("hello"), nil, "does not check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := data
			if tc.body != nil {
				body = tc.body
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/feed-2026.csv":
					w.Write(body)
				case "/feed-2026.csv.sig":
					w.Write(tc.sig)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			c, _ := newCollector(t, map[string]any{"http_url": srv.URL + "/feed-{time[%Y]}.csv", "verify_pgp_signatures": true,
				"signature_url": srv.URL + "/feed-{time[%Y]}.csv.sig", "gpg_keyring": keyring, "rate_limit": 0})
			reports, err := fetch(t, c)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrBadSignature) || len(reports) != 0 {
					t.Fatalf("%d reports, %v; want none and %q", len(reports), err, tc.wantErr)
				}
				return
			}
			if err != nil || len(reports) != 1 || !bytes.Equal(reports[0].Raw, data) {
				t.Fatalf("%d reports, %v", len(reports), err)
			}
		})
	}
}

func TestPGPParameters(t *testing.T) {
	_, keyring := pgpKey(t, "feed")
	for _, tc := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"verify_pgp_signatures": true, "gpg_keyring": keyring}, "signature_url: verify_pgp_signatures needs"},
		{map[string]any{"verify_pgp_signatures": true, "signature_url": "https://example.org/s"}, "gpg_keyring: verify_pgp_signatures needs"},
		{map[string]any{"verify_pgp_signatures": true, "signature_url": "https://example.org/s", "gpg_keyring": "does-not-exist.asc"}, "gpg_keyring"},
		{map[string]any{"verify_pgp_signatures": true, "signature_url": "https://example.org/s", "gpg_keyring": keyring, "signature_url_formatting": map[string]any{"days": 1}}, "want true or false"},
	} {
		tc.raw["http_url"] = "https://example.org/feed.csv"
		p, err := Spec.Validate(tc.raw)
		if err == nil {
			_, err = New(p)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.raw, err, tc.want)
		}
	}
}
