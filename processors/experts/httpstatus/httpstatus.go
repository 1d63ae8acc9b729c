// Package httpstatus is the HTTP status expert (IntelMQ's
// http.expert_status): it requests the URL in field (GET, or HEAD with
// method HEAD, falling back to GET when the server refuses HEAD) and sets
// status to "online" when the final answer (redirects followed) has a
// success code, else "offline" with extra.reason (the status text or the
// error). extra.http_status gets the status code.
//
// Success codes are success_status_codes when given, else 200-399. (IntelMQ
// documents this but also counts 200-399 as success when the list is
// given; we follow the documentation, so a list can exclude codes.) A
// connection failure or timeout means "offline", as in IntelMQ: reachability
// is what the expert measures, so these are results, not errors. status
// and extra.reason already set are replaced unless overwrite is false.
// Events without the field pass on unchanged. Results are cached per URL
// for redis_cache_ttl (default 5 minutes).
package httpstatus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/httpq"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "http_status"

// Spec is the node spec of the HTTP status expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Requests the URL in field and sets status online/offline, extra.http_status and extra.reason.",
	IntelMQ: "intelmq.bots.experts.http.expert_status",
	Params: slices.Concat([]topology.Param{
		{Name: "field", Type: topology.ParamString, Default: "source.url", Doc: "Field with the URL to check."},
		{Name: "success_status_codes", Type: topology.ParamStrings, Default: []string{}, Doc: "Status codes that mean online (empty: 200-399)."},
		{Name: "overwrite", Type: topology.ParamBool, Default: true, Doc: "Replace status and extra.reason already set."},
		{Name: "method", Type: topology.ParamString, Default: "GET", Enum: []string{"GET", "HEAD"}, Doc: "Request method (HEAD saves bandwidth; GET is used when HEAD is refused)."},
	}, httpq.Params, cache.ParamsTTL(0, 300)),
	Produces: []string{"status", "extra.http_status", "extra.reason"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Result is the outcome of one check.
type Result struct {
	Code   int    `json:"code,omitempty"` // 0: no answer
	Reason string `json:"reason,omitempty"`
}

// Expert is the HTTP status expert.
type Expert struct {
	http      *httpq.Client
	lookup    cache.Lookup[Result]
	field     string
	success   []int
	method    string
	overwrite bool
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{field: p.String("field"), method: p.String("method"), overwrite: p.Bool("overwrite")}
	if err := fieldval.Check(x.field); err != nil {
		return nil, &topology.ParamError{Node: Name, Param: "field", Err: err}
	}
	for _, s := range p.Strings("success_status_codes") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 || n > 999 {
			return nil, &topology.ParamError{Node: Name, Param: "success_status_codes", Err: fmt.Errorf("%q is not an HTTP status code", s)}
		}
		x.success = append(x.success, n)
	}
	var err error
	if x.http, err = httpq.FromParams(Name, p); err != nil {
		return nil, err
	}
	if x.lookup, err = cache.LookupFromParams[Result](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process checks e's URL and emits e.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	u, ok := fieldval.First(e, x.field)
	if !ok || u == "" {
		emit(e)
		return nil
	}
	r, err := x.lookup.Do(ctx, u, func() (Result, error) { return x.Check(ctx, u) })
	if err == nil {
		err = x.apply(e, r)
	}
	return enrich.Then(e, emit, err)
}

func (x *Expert) apply(e *dho.Event, r Result) error {
	status := "offline"
	if x.online(r.Code) {
		status = "online"
	}
	if _, err := enrich.Add(e, "status", status, x.overwrite); err != nil {
		return err
	}
	if r.Code != 0 {
		if err := e.Set("extra.http_status", int64(r.Code)); err != nil {
			return err
		}
	}
	if status == "offline" && r.Reason != "" {
		if _, err := enrich.Add(e, "extra.reason", r.Reason, x.overwrite); err != nil {
			return err
		}
	}
	return nil
}

func (x *Expert) online(code int) bool {
	if code == 0 {
		return false
	}
	if len(x.success) > 0 {
		return slices.Contains(x.success, code)
	}
	return code >= 200 && code < 400
}

// Check requests u and returns its final status code, or the reason it
// could not be reached. Only a context cancellation is an error.
func (x *Expert) Check(ctx context.Context, u string) (Result, error) {
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return Result{Reason: fmt.Sprintf("not an http(s) URL: %q", u)}, nil
	}
	code, err := x.request(ctx, x.method, u)
	if err == nil && x.method == http.MethodHead && (code == http.StatusMethodNotAllowed || code == http.StatusNotImplemented) {
		code, err = x.request(ctx, http.MethodGet, u)
	}
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Result{Reason: err.Error()}, nil
	}
	return Result{Code: code, Reason: http.StatusText(code)}, nil
}

func (x *Expert) request(ctx context.Context, method, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := x.http.HTTP.Do(withAgent(req, x.http.UserAgent))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func withAgent(req *http.Request, ua string) *http.Request {
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	return req
}
