// Package reversedns is the reverse DNS expert (IntelMQ's reverse_dns): it
// looks up the PTR record of source.ip and destination.ip and sets the
// side's reverse_dns to the first name that is a valid FQDN. Sides without
// an IP address, or with a reverse_dns already and overwrite false, are
// passed on unchanged, as are addresses without a PTR record.
//
// Answers are cached for their DNS TTL (at most redis_cache_ttl); a name
// that does not exist for the SOA's negative TTL; a failed answer
// (SERVFAIL, refused, no valid name) for cache_ttl_invalid_response. A
// timeout is a transient error (the event is retried) where IntelMQ caches
// it as an invalid answer: a resolver that is down should not strip
// reverse names from a minute of events.
package reversedns

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/dnsq"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "reverse_dns"

// Spec is the node spec of the reverse DNS expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets source/destination reverse_dns from the PTR record of the IP address.",
	IntelMQ: "intelmq.bots.experts.reverse_dns.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "cache_ttl_invalid_response", Type: topology.ParamDuration, Default: 60, Doc: "How long a failed or invalid answer is cached."},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Replace an existing reverse_dns."},
	}, dnsq.Params, cache.Params(7)),
	Produces: []string{"source.reverse_dns", "destination.reverse_dns"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Expert is the reverse DNS expert.
type Expert struct {
	res        *dnsq.Resolver
	lookup     cache.Lookup[string] // "" caches "no name"
	invalidTTL time.Duration
	overwrite  bool
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{overwrite: p.Bool("overwrite"), invalidTTL: p.Duration("cache_ttl_invalid_response")}
	if x.invalidTTL < time.Second {
		return nil, &topology.ParamError{Node: Name, Param: "cache_ttl_invalid_response", Err: fmt.Errorf("must be at least 1s, got %s", x.invalidTTL)}
	}
	var err error
	if x.res, err = dnsq.FromParams(Name, p); err != nil {
		return nil, err
	}
	if x.lookup, err = cache.LookupFromParams[string](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process sets e's reverse names and emits it.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, s := range enrich.Sides(e) {
		if s.E.ReverseDNS != "" && !x.overwrite {
			continue
		}
		a, ok := s.IP()
		if !ok {
			continue
		}
		name, err := x.lookup.DoTTL(ctx, a.String(), func() (string, time.Duration, error) {
			return x.query(ctx, a.String())
		})
		if err != nil {
			return err
		}
		if name != "" {
			s.E.ReverseDNS = name
		}
	}
	emit(e)
	return nil
}

func (x *Expert) query(ctx context.Context, ip string) (string, time.Duration, error) {
	rev, err := dns.ReverseAddr(ip)
	if err != nil {
		return "", 0, err
	}
	a, err := x.res.Query(ctx, rev, dns.TypePTR)
	if err != nil {
		return "", 0, err // transient: not cached
	}
	switch a.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return "", a.TTL, nil
	default:
		return "", x.invalidTTL, nil
	}
	var scratch dho.Event
	for _, rr := range a.RRs {
		name := strings.TrimSuffix(rr.(*dns.PTR).Ptr, ".")
		if scratch.Set("source.reverse_dns", name) == nil {
			return scratch.Source.ReverseDNS, a.TTL, nil
		}
	}
	return "", x.invalidTTL, nil
}
