// Package securitytxt is the security.txt expert (IntelMQ's securitytxt):
// it fetches https://HOST/.well-known/security.txt (RFC 9116; the legacy
// /security.txt when that is missing) for the host named in url_field and
// puts the file's first contact (the preferred one) into contact_field.
//
// url_field may hold a URL (its host, and port, are used) or a host name.
// With only_email_address only e-mail contacts count; a "mailto:" prefix is
// removed (the field holds an address). With check_expired an expired file
// is ignored, with check_canonical a file that does not list the URL it was
// fetched from among its Canonical fields. Events without the url_field,
// or with contact_field set and overwrite false, pass on unchanged, as do
// hosts without a (valid) file. Timeouts and server errors (5xx, 429) are
// retried; other fetch failures (refused connections, TLS errors, 404) mean
// "no file". Results are cached per host (redis_cache_ttl).
package securitytxt

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/httpq"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "securitytxt"

// Spec is the node spec of the security.txt expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets a contact from the security.txt file (RFC 9116) of the host in url_field.",
	IntelMQ: "intelmq.bots.experts.securitytxt.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "url_field", Type: topology.ParamString, Default: "source.reverse_dns", Doc: "Field with the URL or host name whose security.txt is fetched."},
		{Name: "contact_field", Type: topology.ParamString, Default: "source.abuse_contact", Doc: "Field that receives the contact."},
		{Name: "only_email_address", Type: topology.ParamBool, Default: true, Doc: "Use only e-mail contacts (no web forms or phone numbers)."},
		{Name: "overwrite", Type: topology.ParamBool, Default: true, Doc: "Replace a contact already set."},
		{Name: "check_expired", Type: topology.ParamBool, Default: false, Doc: "Ignore files whose Expires date has passed."},
		{Name: "check_canonical", Type: topology.ParamBool, Default: false, Doc: "Ignore files that do not list their own URL as Canonical."},
	}, httpq.Params, cache.Params(0)),
	Produces: []string{"source.abuse_contact"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Expert is the security.txt expert.
type Expert struct {
	http                     *httpq.Client
	lookup                   cache.Lookup[*File] // nil: no file
	urlField, contactField   string
	onlyEmail, overwrite     bool
	checkExpired, checkCanon bool
	now                      func() time.Time
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{urlField: p.String("url_field"), contactField: p.String("contact_field"),
		onlyEmail: p.Bool("only_email_address"), overwrite: p.Bool("overwrite"),
		checkExpired: p.Bool("check_expired"), checkCanon: p.Bool("check_canonical"), now: time.Now}
	for _, f := range []struct{ param, v string }{{"url_field", x.urlField}, {"contact_field", x.contactField}} {
		if err := fieldval.Check(f.v); err != nil {
			return nil, &topology.ParamError{Node: Name, Param: f.param, Err: err}
		}
	}
	var err error
	if x.http, err = httpq.FromParams(Name, p); err != nil {
		return nil, err
	}
	// security.txt must be served directly (RFC 9116 allows redirects
	// only to other https URLs); follow at most a few.
	x.http.HTTP.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 || req.URL.Scheme != "https" {
			return errors.New("redirect refused")
		}
		return nil
	}
	if x.lookup, err = cache.LookupFromParams[*File](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process looks up e's security.txt contact and emits e.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	return enrich.Then(e, emit, x.process(ctx, e))
}

func (x *Expert) process(ctx context.Context, e *dho.Event) error {
	v, ok := fieldval.First(e, x.urlField)
	if !ok || (!x.overwrite && e.Has(x.contactField)) {
		return nil
	}
	host := hostOf(v)
	if host == "" {
		return nil
	}
	f, err := x.lookup.Do(ctx, host, func() (*File, error) { return x.fetch(ctx, host) })
	if err != nil || f == nil {
		return err
	}
	contact := x.contact(f)
	if contact == "" {
		return nil
	}
	// An unusable contact (an address the field refuses) is no contact.
	_ = e.Set(x.contactField, contact)
	return nil
}

// contact returns the file's preferred usable contact, "" if none.
func (x *Expert) contact(f *File) string {
	if x.checkExpired && (f.Expires.IsZero() || f.Expires.Before(x.now())) {
		return ""
	}
	if x.checkCanon && !slices.Contains(f.Canonical, f.URL) {
		return ""
	}
	for _, c := range f.Contacts {
		if x.onlyEmail && !IsEmail(c) {
			continue
		}
		if IsEmail(c) {
			c = strings.TrimPrefix(c, "mailto:")
		}
		return c
	}
	return ""
}

// hostOf returns the host (with port, if any) of a URL or a host name.
func hostOf(s string) string {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		return u.Host
	}
	return strings.TrimSuffix(strings.TrimSpace(s), ".")
}

// fetch gets and parses the host's security.txt; nil when there is none.
func (x *Expert) fetch(ctx context.Context, host string) (*File, error) {
	for _, path := range []string{"/.well-known/security.txt", "/security.txt"} {
		u := "https://" + host + path
		text, err := x.get(ctx, u)
		if err != nil {
			// A timeout or a server error (5xx, 429) may pass: retry. A
			// refused connection or a bad certificate means no file.
			var se *httpq.StatusError
			if isTimeout(err) || errors.As(err, &se) {
				return nil, err
			}
			return nil, nil
		}
		if text == "" {
			continue // not found here
		}
		f, err := Parse(text)
		if err != nil {
			return nil, nil
		}
		f.URL = u
		return f, nil
	}
	return nil, nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// get returns the body of a 200 text answer, "" for 404 (and other
// client errors).
func (x *Expert) get(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := x.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode >= 500 {
			return "", httpq.Classify(&httpq.StatusError{URL: u, Status: resp.StatusCode})
		}
		return "", nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/plain") {
		return "", nil // RFC 9116: text/plain; an HTML error page is no file
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	return string(b), err
}
