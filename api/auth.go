package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Role is what a caller may do. Each role includes the ones before it.
type Role int

// The roles. RolePublic marks routes open to anyone (health, the OpenAPI
// document, the console page, which asks for a token itself).
const (
	RolePublic  Role = iota
	RoleRead         // GET
	RoleOperate      // pause, resume, start, stop, restart
	RoleAdmin        // parameters, reload, state
)

var roleNames = map[string]Role{"read": RoleRead, "operate": RoleOperate, "admin": RoleAdmin}

func (r Role) String() string {
	for name, role := range roleNames {
		if role == r {
			return name
		}
	}
	return "public"
}

// ParseRole reads a role name: read, operate or admin.
func ParseRole(s string) (Role, error) {
	r, ok := roleNames[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return 0, fmt.Errorf("role %q: want read, operate or admin", s)
	}
	return r, nil
}

// Token is a static bearer token.
type Token struct {
	Name   string // who holds it (logged)
	Role   Role
	Secret string
}

// ParseToken reads NAME:ROLE:SECRET (the --api-token flag).
func ParseToken(s string) (Token, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return Token{}, errors.New("token: want NAME:ROLE:SECRET")
	}
	role, err := ParseRole(parts[1])
	if err != nil {
		return Token{}, fmt.Errorf("token %s: %w", parts[0], err)
	}
	if len(parts[2]) < 16 {
		return Token{}, fmt.Errorf("token %s: the secret is shorter than 16 characters", parts[0])
	}
	return Token{Name: parts[0], Role: role, Secret: parts[2]}, nil
}

// Tokens accepts static bearer tokens.
func Tokens(tokens ...Token) Option {
	return func(s *Server) error {
		for _, t := range tokens {
			if t.Secret == "" || t.Role < RoleRead || t.Role > RoleAdmin {
				return fmt.Errorf("token %s: needs a secret and a role", t.Name)
			}
		}
		s.auth.tokens = append(s.auth.tokens, tokens...)
		return nil
	}
}

// OIDCConfig configures OpenID Connect bearer tokens (JWTs).
type OIDCConfig struct {
	// Issuer is the issuer URL; its discovery document and JWKS are
	// fetched from it.
	Issuer string
	// Audience is the client id the tokens must be issued for.
	Audience string
	// RolesClaim names the claim holding the caller's roles (a string or
	// a list of strings among read, operate, admin); default "roles".
	RolesClaim string
}

// OIDC accepts JWTs signed by the issuer's keys (JWKS), for the audience,
// unexpired, whose roles claim grants a role. The issuer's discovery
// document is fetched when the option is applied, with ctx.
func OIDC(ctx context.Context, c OIDCConfig) Option {
	return func(s *Server) error {
		if c.Issuer == "" || c.Audience == "" {
			return errors.New("OIDC: needs an issuer and an audience")
		}
		p, err := oidc.NewProvider(ctx, c.Issuer)
		if err != nil {
			return fmt.Errorf("OIDC issuer %s: %w", c.Issuer, err)
		}
		if c.RolesClaim == "" {
			c.RolesClaim = "roles"
		}
		s.auth.oidc = p.Verifier(&oidc.Config{ClientID: c.Audience})
		s.auth.rolesClaim = c.RolesClaim
		return nil
	}
}

// authenticator holds the configured ways to authenticate.
type authenticator struct {
	tokens     []Token
	oidc       *oidc.IDTokenVerifier
	rolesClaim string
}

func (a *authenticator) configured() bool { return len(a.tokens) > 0 || a.oidc != nil }

// authorize checks that r's caller holds want. Without any authentication
// configured, reads are open and changes refused.
func (s *Server) authorize(r *http.Request, want Role) error {
	if want == RolePublic {
		return nil
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || bearer == "" {
		if want == RoleRead && !s.auth.configured() {
			return nil
		}
		return errorf(http.StatusUnauthorized, "authentication required: send Authorization: Bearer TOKEN (role %s)", want)
	}
	role, who, err := s.auth.role(r.Context(), bearer)
	if err != nil {
		s.log.Warn("control API: refused token", "path", r.URL.Path, "err", err)
		return errorf(http.StatusUnauthorized, "invalid token: %v", err)
	}
	if role < want {
		return errorf(http.StatusForbidden, "%s has role %s; %s %s needs %s", who, role, r.Method, r.URL.Path, want)
	}
	return nil
}

func (a *authenticator) role(ctx context.Context, bearer string) (Role, string, error) {
	for _, t := range a.tokens {
		if subtle.ConstantTimeCompare([]byte(t.Secret), []byte(bearer)) == 1 {
			return t.Role, t.Name, nil
		}
	}
	if a.oidc == nil || strings.Count(bearer, ".") != 2 {
		return 0, "", errors.New("unknown token")
	}
	tok, err := a.oidc.Verify(ctx, bearer)
	if err != nil {
		return 0, "", err
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return 0, "", err
	}
	var names []string
	switch v := claims[a.rolesClaim].(type) {
	case string:
		names = strings.Fields(v)
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	}
	best := RolePublic
	for _, n := range names {
		if r, ok := roleNames[strings.ToLower(n)]; ok && r > best {
			best = r
		}
	}
	if best == RolePublic {
		return 0, "", fmt.Errorf("subject %s: claim %q grants no role (read, operate, admin)", tok.Subject, a.rolesClaim)
	}
	return best, "subject " + tok.Subject, nil
}
