package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/intelstream/intelstream/api"
	"github.com/intelstream/intelstream/internal/logging"
	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/topology"
)

// apiFlags are intelstream run's control API flags.
type apiFlags struct {
	addr, oidcIssuer, oidcAudience, contact string
	tokens                                  []string
}

func (a *apiFlags) add(f *pflag.FlagSet) {
	f.StringVar(&a.addr, "api-addr", "", "serve the REST control API (and /healthz, /readyz, /metrics, the console at /) at this address, e.g. 127.0.0.1:8080")
	f.StringArrayVar(&a.tokens, "api-token", nil, "a bearer token of the control API, NAME:ROLE:SECRET with ROLE read, operate or admin (repeatable)")
	f.StringVar(&a.oidcIssuer, "oidc-issuer", "", "accept OIDC JWTs from this issuer on the control API (roles in the roles claim)")
	f.StringVar(&a.oidcAudience, "oidc-audience", "", "the audience (client id) OIDC JWTs must carry")
	f.StringVar(&a.contact, "api-contact", "", "contact published with the nodes' announcements")
}

// serve starts the control API when --api-addr is given: it returns the
// run options that attach the API's controller and announce the nodes,
// and a function that stops it all.
func (a *apiFlags) serve(ctx context.Context, t *topology.Topology, env *runner.Env, reg *prometheus.Registry, log *slog.Logger, logCtl *logging.Control) ([]topology.RunOption, func(), error) {
	if a.addr == "" {
		if len(a.tokens) > 0 || a.oidcIssuer != "" {
			return nil, nil, fmt.Errorf("--api-token and --oidc-issuer need --api-addr")
		}
		return nil, func() {}, nil
	}
	opts := []api.Option{api.Metrics(reg), api.Logger(log), api.Discovery(env.Transport, ""), api.LogControl(logCtl)}
	var tokens []api.Token
	for _, s := range a.tokens {
		tok, err := api.ParseToken(s)
		if err != nil {
			return nil, nil, fmt.Errorf("--api-token: %w", err)
		}
		tokens = append(tokens, tok)
	}
	if len(tokens) > 0 {
		opts = append(opts, api.Tokens(tokens...))
	}
	if a.oidcIssuer != "" || a.oidcAudience != "" {
		opts = append(opts, api.OIDC(ctx, api.OIDCConfig{Issuer: a.oidcIssuer, Audience: a.oidcAudience}))
	}
	ctl := topology.NewController()
	srv, err := api.New(ctl, opts...)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		return nil, nil, fmt.Errorf("--api-addr: %w", err)
	}
	url := "http://" + ln.Addr().String()
	ann, err := api.NewAnnouncer(ctx, t, env.Transport, "", url, a.contact, "")
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	log.Info("control API", "url", url)
	stop := func() {
		hs.Close()
		if err := ann.Close(); err != nil {
			log.Warn("node announcements", "err", err)
		}
	}
	return []topology.RunOption{topology.WithController(ctl), topology.WithHooks(ann)}, stop, nil
}
