// Package api is the REST control API of a running topology: each node's
// status, pause/resume/start/stop/restart/reload, typed parameters read and
// changed at run time, metadata, self-tests, state and dead-letter counts,
// health and readiness, Prometheus metrics, an OpenAPI 3.1 document made
// from the route table, and a web console.
//
// It serves a topology.Controller:
//
//	ctl := topology.NewController()
//	srv, err := api.New(ctl, api.Tokens(api.Token{Name: "ops", Role: api.RoleOperate, Secret: s}))
//	go http.Serve(ln, srv)
//	err = t.Run(ctx, topology.WithController(ctl), ...)
//
// Reads (GET) need the read role once any authentication is configured;
// changes always need a token: operate for pause, resume, start, stop and
// restart, admin for parameters, reload and state.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/intelstream/intelstream/internal/logging"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

// DefaultMaxBody is the largest request body the API reads (1 MiB).
const DefaultMaxBody = 1 << 20

// Server is the control API of one running topology. It is an
// http.Handler.
type Server struct {
	ctl      *topology.Controller
	mux      *http.ServeMux
	routes   []route
	auth     authenticator
	gatherer prometheus.Gatherer
	maxBody  int64
	version  string
	log      *slog.Logger
	nodes    func(ctx context.Context) ([]Announcement, error)
	logCtl   *logging.Control
}

// Option configures a Server.
type Option func(*Server) error

// MaxBody sets the largest request body read; larger ones get 413.
func MaxBody(n int64) Option { return func(s *Server) error { s.maxBody = n; return nil } }

// Metrics serves g at /metrics (the registry the topology's
// topology.Metrics and the Kafka clients' metrics are registered with).
func Metrics(g prometheus.Gatherer) Option {
	return func(s *Server) error { s.gatherer = g; return nil }
}

// Version sets the version the meta endpoints report (default: the
// module version from the build information).
func Version(v string) Option { return func(s *Server) error { s.version = v; return nil } }

// Logger logs refused requests and failures with l.
func Logger(l *slog.Logger) Option { return func(s *Server) error { s.log = l; return nil } }

// New returns the API of the topology ctl controls (ctl is attached to a
// run when the topology's Run starts; until then node endpoints answer 503).
func New(ctl *topology.Controller, opts ...Option) (*Server, error) {
	s := &Server{ctl: ctl, mux: http.NewServeMux(), maxBody: DefaultMaxBody, log: slog.Default()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		s.version = bi.Main.Version
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// The mux's own 404 and 405 are plain text; ours are JSON.
		w = &statusRecorder{ResponseWriter: w}
	}
	s.mux.ServeHTTP(w, r)
}

// statusRecorder turns the mux's plain-text errors into JSON ones.
type statusRecorder struct {
	http.ResponseWriter
	wrote bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.wrote {
		return
	}
	s.wrote = true
	msg := http.StatusText(code)
	if code == http.StatusNotFound {
		msg = "no such route (see /openapi.json)"
	}
	s.Header().Set("Content-Type", "application/json")
	s.Header().Del("X-Content-Type-Options")
	s.ResponseWriter.WriteHeader(code)
	_ = json.NewEncoder(s.ResponseWriter).Encode(Error{Error: msg})
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return len(b), nil // the mux's text is replaced by the JSON above
}

// Error is the body of every error answer.
type Error struct {
	Error string `json:"error"`
	Node  string `json:"node,omitempty"`
	Param string `json:"param,omitempty"`
}

// httpError is an error with its status code.
type httpError struct {
	code int
	body Error
}

func (e *httpError) Error() string { return e.body.Error }

func errorf(code int, format string, args ...any) error {
	return &httpError{code: code, body: Error{Error: fmt.Sprintf(format, args...)}}
}

// wrap checks authentication and the route's role, limits the body and
// writes the handler's answer or error as JSON.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.authorize(r, rt.role); err != nil {
			s.writeError(w, r, err)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, max(s.maxBody, rt.maxBody))
		}
		if rt.raw != nil {
			rt.raw(w, r)
			return
		}
		v, err := rt.handle(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeError maps errors to status codes: unknown node 404, bad
// parameters and bodies 400, oversized bodies 413, not running 503.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var pe *topology.ParamError
	var mbe *http.MaxBytesError
	body := Error{Error: err.Error()}
	code := http.StatusInternalServerError
	switch {
	case errors.As(err, &he):
		code, body = he.code, he.body
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="intelstream"`)
		}
	case errors.As(err, &mbe):
		code, body.Error = http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit)
	case errors.Is(err, topology.ErrUnknownNode):
		code = http.StatusNotFound
	case errors.As(err, &pe):
		code, body.Node, body.Param = http.StatusBadRequest, pe.Node, pe.Param
	case errors.Is(err, topology.ErrBadParams):
		code = http.StatusBadRequest
	case errors.Is(err, topology.ErrNoParams), errors.Is(err, topology.ErrNodeRunning), errors.Is(err, topology.ErrNoTables), errors.Is(err, transport.ErrGroupActive):
		code = http.StatusConflict
	case errors.Is(err, topology.ErrBadStateFile), errors.Is(err, topology.ErrBadWorkers):
		code = http.StatusBadRequest
	case errors.Is(err, topology.ErrNotRunning):
		code = http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		code = http.StatusGatewayTimeout
	}
	if body.Node == "" {
		body.Node = r.PathValue("name")
	}
	if code >= 500 {
		s.log.Error("control API", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, code, body)
}

// decodeBody reads a JSON body into v; an empty body is an error.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errorf(http.StatusBadRequest, "request body: %v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "request body: more than one JSON value")
	}
	return nil
}

// timeout bounds the control operations that wait (stop, restart).
const timeout = 2 * time.Minute

func promHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
