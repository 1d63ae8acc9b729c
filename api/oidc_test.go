package api

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/intelstream/intelstream/topology"
)

const oidcAudience = "intelstream-api"

// issuer is an OpenID Connect issuer in the test process: a discovery
// document and a JWKS with an RSA key made for the test.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key, kid: "test-key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"issuer":                                is.srv.URL,
			"jwks_uri":                              is.srv.URL + "/keys",
			"authorization_endpoint":                is.srv.URL + "/auth",
			"token_endpoint":                        is.srv.URL + "/token",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: is.kid, Algorithm: "RS256", Use: "sig"}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

// claims returns valid claims for the audience, with roles.
func (is *issuer) claims(roles any) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": is.srv.URL, "sub": "alice", "aud": oidcAudience,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if roles != nil {
		c["roles"] = roles
	}
	return c
}

// sign signs claims with key under the issuer's key id.
func (is *issuer) sign(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", is.kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// bearer calls the API with a bearer token.
func (f *fixture) bearer(t *testing.T, token, method, path string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, f.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode >= 400 && ct != "application/json" {
		t.Fatalf("%s %s: %d answered with %q", method, path, resp.StatusCode, ct)
	}
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

func TestOIDC(t *testing.T) {
	is := newIssuer(t)
	f := start(t, OIDC(context.Background(), OIDCConfig{Issuer: is.srv.URL, Audience: oidcAudience}))

	// Each role does what it may and is refused the rest with 403.
	for _, c := range []struct {
		roles         any
		read, pause   int
		admin         int
		roleInRefusal string
	}{
		{[]string{"read"}, 200, 403, 403, "role read"},
		{[]string{"operate"}, 200, 200, 403, "role operate"},
		{"admin", 200, 200, 200, ""},
		{[]string{"read", "ADMIN", "other"}, 200, 200, 200, ""}, // the highest known role counts
	} {
		tok := is.sign(t, is.key, is.claims(c.roles))
		if code, m, _ := f.bearer(t, tok, "GET", "/api/v1/topology"); code != c.read {
			t.Errorf("roles %v: GET topology %d %v", c.roles, code, m)
		}
		code, m, _ := f.bearer(t, tok, "POST", "/api/v1/nodes/tag/pause")
		if code != c.pause {
			t.Errorf("roles %v: pause %d %v", c.roles, code, m)
		}
		if code == 200 {
			if st, _ := f.ctl.Status("tag"); st.State != "paused" {
				t.Errorf("roles %v: paused node is %s", c.roles, st.State)
			}
			if code, m, _ := f.bearer(t, tok, "POST", "/api/v1/nodes/tag/resume"); code != 200 {
				t.Errorf("roles %v: resume %d %v", c.roles, code, m)
			}
		} else if !strings.Contains(m["error"].(string), "subject alice has "+c.roleInRefusal) {
			t.Errorf("roles %v: refusal %v", c.roles, m)
		}
		if code, m, _ := f.bearer(t, tok, "GET", "/api/v1/nodes/tag/state"); code != c.admin {
			t.Errorf("roles %v: state %d %v", c.roles, code, m)
		}
	}

	// Tokens that are refused: 401 with a JSON error and a challenge.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(k string, v any) map[string]any { c := is.claims([]string{"admin"}); c[k] = v; return c }
	for _, c := range []struct {
		name, token, says string
	}{
		{"expired", is.sign(t, is.key, with("exp", time.Now().Add(-time.Minute).Unix())), "expired"},
		{"wrong audience", is.sign(t, is.key, with("aud", "another-client")), "audience"},
		{"wrong issuer", is.sign(t, is.key, with("iss", "https://issuer.example.org")), "issuer"},
		{"bad signature", is.sign(t, other, is.claims([]string{"admin"})), "signature"},
		{"unknown role", is.sign(t, is.key, is.claims([]string{"superuser"})), `claim "roles" grants no role`},
		{"no roles claim", is.sign(t, is.key, is.claims(nil)), "grants no role"},
		{"not a JWT", "a.b.c", "invalid token"},
	} {
		code, m, h := f.bearer(t, c.token, "GET", "/api/v1/topology")
		if code != http.StatusUnauthorized || !strings.Contains(m["error"].(string), c.says) {
			t.Errorf("%s: %d %v", c.name, code, m)
		}
		if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, h.Get("WWW-Authenticate"))
		}
	}
	if st, _ := f.ctl.Status("tag"); st.State != "running" {
		t.Fatalf("tag ends %s", st.State)
	}
	// Static tokens still work beside OIDC.
	if code, m := f.call(t, RoleOperate, "POST", "/api/v1/nodes/tag/pause", ""); code != 200 {
		t.Fatalf("static token: %d %v", code, m)
	}
}

// TestOIDCRolesClaim reads the roles from a configured claim.
func TestOIDCRolesClaim(t *testing.T) {
	is := newIssuer(t)
	f := start(t, OIDC(context.Background(), OIDCConfig{Issuer: is.srv.URL, Audience: oidcAudience, RolesClaim: "intelstream_roles"}))
	c := is.claims([]string{"admin"}) // in "roles": ignored
	if code, m, _ := f.bearer(t, is.sign(t, is.key, c), "GET", "/api/v1/topology"); code != http.StatusUnauthorized {
		t.Fatalf("roles in the wrong claim: %d %v", code, m)
	}
	c["intelstream_roles"] = "operate"
	if code, m, _ := f.bearer(t, is.sign(t, is.key, c), "POST", "/api/v1/nodes/tag/pause"); code != 200 {
		t.Fatalf("roles in the configured claim: %d %v", code, m)
	}
}

// TestOIDCIssuerDown: the option fails when the discovery document cannot
// be fetched.
func TestOIDCIssuerDown(t *testing.T) {
	is := newIssuer(t)
	url := is.srv.URL
	is.srv.Close()
	ctl := topology.NewController()
	if _, err := New(ctl, OIDC(context.Background(), OIDCConfig{Issuer: url, Audience: oidcAudience})); err == nil || !strings.Contains(err.Error(), "OIDC issuer") {
		t.Fatalf("New with an unreachable issuer: %v", err)
	}
	if _, err := New(ctl, OIDC(context.Background(), OIDCConfig{Issuer: url})); err == nil {
		t.Fatal("New without an audience succeeded")
	}
}
