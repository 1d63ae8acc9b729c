// Package gethostbyname is the gethostbyname expert (IntelMQ's): it
// resolves source.fqdn and destination.fqdn (or, with fallback_to_url, the
// host name of the side's URL) to an IPv4 address, as gethostbyname does,
// and sets the side's ip. Sides that have an ip already are skipped unless
// overwrite; sides without a name are passed on unchanged.
//
// Failures map onto the getaddrinfo error codes IntelMQ's
// gaierrors_to_ignore lists: -2 (no such name, NXDOMAIN), -5 (the name has
// no address), -4 (the resolver refused or failed for good) and -3 (a
// temporary failure: SERVFAIL, timeout). -2, -4, -5, -8 and -11 are always
// ignored (the side is left alone), as in IntelMQ; -3 is retried as a
// transient error unless listed in gaierrors_to_ignore. Answers, positive
// and negative, are cached for their DNS TTL.
package gethostbyname

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/miekg/dns"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/dnsq"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "gethostbyname"

// Spec is the node spec of the gethostbyname expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Resolves source/destination fqdn (or the URL's host) to an IPv4 address and sets ip.",
	IntelMQ: "intelmq.bots.experts.gethostbyname.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "fallback_to_url", Type: topology.ParamBool, Default: true, Doc: "Resolve the URL's host name when the side has no fqdn."},
		{Name: "gaierrors_to_ignore", Type: topology.ParamStrings, Default: []string{}, Doc: "getaddrinfo error codes to ignore besides -2, -4, -5, -8, -11 (e.g. -3 to skip temporary failures)."},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Resolve and replace the ip of sides that have one."},
	}, dnsq.Params, cache.Params(0)),
	Produces: []string{"source.ip", "destination.ip"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// getaddrinfo error codes (glibc).
const (
	eaiNoName = -2
	eaiAgain  = -3
	eaiFail   = -4
	eaiNoData = -5
)

// answer is a cached resolution: an address or an error code.
type answer struct {
	IP   string `json:"ip,omitempty"`
	Code int    `json:"code,omitempty"`
}

// Expert is the gethostbyname expert.
type Expert struct {
	res       *dnsq.Resolver
	lookup    cache.Lookup[answer]
	ignore    []int
	fallback  bool
	overwrite bool
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{fallback: p.Bool("fallback_to_url"), overwrite: p.Bool("overwrite"),
		ignore: []int{eaiNoName, eaiFail, eaiNoData, -8, -11}}
	for _, s := range p.Strings("gaierrors_to_ignore") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "gaierrors_to_ignore", Err: fmt.Errorf("%q is not an integer error code", s)}
		}
		x.ignore = append(x.ignore, n)
	}
	var err error
	if x.res, err = dnsq.FromParams(Name, p); err != nil {
		return nil, err
	}
	if x.lookup, err = cache.LookupFromParams[answer](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process resolves e's names and emits it.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, s := range enrich.Sides(e) {
		if len(s.E.IP) > 0 && !x.overwrite {
			continue
		}
		name := ""
		if len(s.E.FQDN) > 0 {
			name = s.E.FQDN[0]
		} else if x.fallback && len(s.E.URL) > 0 {
			name = hostName(s.E.URL[0])
		}
		if name == "" {
			continue
		}
		a, err := x.resolve(ctx, name)
		if err != nil {
			return err
		}
		if a.Code != 0 {
			if slices.Contains(x.ignore, a.Code) {
				continue
			}
			err := fmt.Errorf("%s: resolving %s failed with getaddrinfo error %d", Name, name, a.Code)
			if a.Code == eaiAgain {
				return topology.Transient(err)
			}
			return err
		}
		// As IntelMQ (raise_failure=False): an address the field refuses
		// is dropped silently.
		_ = e.Set(s.Prefix+"ip", a.IP)
	}
	emit(e)
	return nil
}

// hostName returns the host of a URL when it is a name, not an address.
func hostName(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	h := pu.Hostname()
	if _, err := netip.ParseAddr(h); err == nil {
		return ""
	}
	return h
}

func (x *Expert) resolve(ctx context.Context, name string) (answer, error) {
	return x.lookup.DoTTL(ctx, "A:"+name, func() (answer, time.Duration, error) {
		a, err := x.res.Query(ctx, name, dns.TypeA)
		if err != nil {
			if topology.IsTransient(err) {
				// A timeout is EAI_AGAIN; not cached.
				return answer{Code: eaiAgain}, -1, nil
			}
			return answer{}, 0, err
		}
		switch a.Rcode {
		case dns.RcodeSuccess:
			if len(a.RRs) == 0 {
				return answer{Code: eaiNoData}, a.TTL, nil
			}
			return answer{IP: a.RRs[0].(*dns.A).A.String()}, a.TTL, nil
		case dns.RcodeNameError:
			return answer{Code: eaiNoName}, a.TTL, nil
		case dns.RcodeServerFailure:
			return answer{Code: eaiAgain}, -1, nil
		}
		return answer{Code: eaiFail}, a.TTL, nil
	})
}
