package schemas

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// Registry talks to a Confluent-compatible schema registry (Confluent,
// Redpanda, Apicurio's compatibility API, Karapace, srfake). It caches
// schemas by id: ids are immutable in every registry.
type Registry struct {
	cl *sr.Client

	mu   sync.Mutex
	byID map[int]string
}

// RegistryOption configures a Registry.
type RegistryOption func(*registryConfig) error

type registryConfig struct {
	user, pass string
	token      string
	tls        *tls.Config
	timeout    time.Duration
}

// BasicAuth authenticates with a user name and password.
func BasicAuth(user, pass string) RegistryOption {
	return func(c *registryConfig) error { c.user, c.pass = user, pass; return nil }
}

// BearerToken authenticates with a bearer token.
func BearerToken(token string) RegistryOption {
	return func(c *registryConfig) error { c.token = token; return nil }
}

// TLS uses cfg for https registries.
func TLS(cfg *tls.Config) RegistryOption {
	return func(c *registryConfig) error { c.tls = cfg; return nil }
}

// TLSFiles builds the TLS configuration from PEM files: caFile (trusted
// roots, "" for the system's), and certFile/keyFile for client
// authentication ("" for none). insecure skips verification (tests only).
func TLSFiles(caFile, certFile, keyFile string, insecure bool) RegistryOption {
	return func(c *registryConfig) error {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // asked for explicitly
		if caFile != "" {
			pem, err := os.ReadFile(caFile)
			if err != nil {
				return fmt.Errorf("registry CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("registry CA %s: no PEM certificate in it", caFile)
			}
			cfg.RootCAs = pool
		}
		if certFile != "" || keyFile != "" {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				return fmt.Errorf("registry client certificate: %w", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		c.tls = cfg
		return nil
	}
}

// Timeout bounds every request (default 30s).
func Timeout(d time.Duration) RegistryOption {
	return func(c *registryConfig) error { c.timeout = d; return nil }
}

// NewRegistry returns a client of the registry at urls.
func NewRegistry(urls []string, opts ...RegistryOption) (*Registry, error) {
	if len(urls) == 0 {
		return nil, errors.New("no schema registry URL given")
	}
	cfg := registryConfig{timeout: 30 * time.Second}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.tls != nil {
		transport.TLSClientConfig = cfg.tls
	}
	copts := []sr.ClientOpt{
		sr.URLs(urls...),
		sr.HTTPClient(&http.Client{Transport: transport, Timeout: cfg.timeout}),
		sr.UserAgent("intelstream"),
	}
	if cfg.user != "" {
		copts = append(copts, sr.BasicAuth(cfg.user, cfg.pass))
	}
	if cfg.token != "" {
		copts = append(copts, sr.BearerToken(cfg.token))
	}
	cl, err := sr.NewClient(copts...)
	if err != nil {
		return nil, err
	}
	return &Registry{cl: cl, byID: map[int]string{}}, nil
}

// Client returns the underlying franz-go client, for calls this type does
// not wrap.
func (r *Registry) Client() *sr.Client { return r.cl }

// Version is one registered version of a subject.
type Version struct {
	Subject string
	Version int
	ID      int
	Schema  string
}

// SchemaByID returns the schema text with the given id.
func (r *Registry) SchemaByID(ctx context.Context, id int) (string, error) {
	r.mu.Lock()
	s, ok := r.byID[id]
	r.mu.Unlock()
	if ok {
		return s, nil
	}
	sch, err := r.cl.SchemaByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("schema id %d: %w", id, err)
	}
	r.mu.Lock()
	r.byID[id] = sch.Schema
	r.mu.Unlock()
	return sch.Schema, nil
}

// Subjects lists the registry's subjects, sorted.
func (r *Registry) Subjects(ctx context.Context) ([]string, error) {
	subs, err := r.cl.Subjects(ctx)
	sort.Strings(subs)
	return subs, err
}

// Versions returns every version of subject, oldest first; none (and no
// error) when the subject does not exist.
func (r *Registry) Versions(ctx context.Context, subject string) ([]Version, error) {
	all, err := r.cl.Schemas(ctx, subject)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("subject %s: %w", subject, err)
	}
	out := make([]Version, len(all))
	for i, s := range all {
		out[i] = Version{Subject: s.Subject, Version: s.Version, ID: s.ID, Schema: s.Schema.Schema}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Get returns one version of subject; version -1 is the latest.
func (r *Registry) Get(ctx context.Context, subject string, version int) (Version, error) {
	s, err := r.cl.SchemaByVersion(ctx, subject, version)
	if err != nil {
		return Version{}, fmt.Errorf("subject %s version %d: %w", subject, version, err)
	}
	return Version{Subject: s.Subject, Version: s.Version, ID: s.ID, Schema: s.Schema.Schema}, nil
}

// Level returns the compatibility level that applies to subject: its own,
// or the registry's global one (BACKWARD if the registry says nothing).
func (r *Registry) Level(ctx context.Context, subject string) (Level, error) {
	results := r.cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), subject)
	if len(results) == 0 || isNotFound(results[0].Err) {
		return Backward, nil
	}
	if err := results[0].Err; err != nil {
		return "", fmt.Errorf("compatibility of %s: %w", subject, err)
	}
	return ParseLevel(results[0].Level.String())
}

// Register checks schema locally against the subject's earlier versions at
// the subject's compatibility level and, if it passes, registers it. It
// returns the schema's id; registering a schema the subject already has
// returns the existing id. A local incompatibility is an *IncompatibleError
// naming the field, and nothing is registered.
func (r *Registry) Register(ctx context.Context, subject, schema string) (int, error) {
	versions, err := r.Versions(ctx, subject)
	if err != nil {
		return 0, err
	}
	earlier := make([]string, 0, len(versions))
	for _, v := range versions {
		if v.Schema == schema {
			return v.ID, nil
		}
		earlier = append(earlier, v.Schema)
	}
	level, err := r.Level(ctx, subject)
	if err != nil {
		return 0, err
	}
	if err := Check(level, schema, earlier); err != nil {
		return 0, fmt.Errorf("subject %s: %w", subject, err)
	}
	ss, err := r.cl.CreateSchema(ctx, subject, sr.Schema{Schema: schema, Type: sr.TypeAvro})
	if err != nil {
		return 0, fmt.Errorf("register %s: %w", subject, err)
	}
	r.mu.Lock()
	r.byID[ss.ID] = schema
	r.mu.Unlock()
	return ss.ID, nil
}

func isNotFound(err error) bool {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode == http.StatusNotFound || re.ErrorCode == 40401 || re.ErrorCode == 40403
	}
	return false
}
