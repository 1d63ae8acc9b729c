// Package cymruwhois is the Team Cymru whois expert (IntelMQ's
// cymru_whois): it asks Team Cymru's IP-to-ASN service over DNS for
// source.ip and destination.ip and sets asn, network, geolocation.cc,
// registry, allocated and as_name.
//
// The service is two TXT queries: the address reversed under
// origin.asn.cymru.com (IPv4) or origin6.asn.cymru.com (IPv6, by nibbles)
// answers "ASN | prefix | CC | registry | allocation date" (several
// answers: the most specific prefix wins; several ASNs: the first), and
// AS<asn>.asn.cymru.com answers "ASN | CC | registry | date | AS name".
// A registry of "other" is not set. Fields already set are kept unless
// overwrite. Sides without an IP, and addresses the service does not know
// (no such name), are passed on unchanged; timeouts are retried.
// Results, empty ones included, are cached (at most redis_cache_ttl, at
// most the answer's DNS TTL).
package cymruwhois

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
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
const Name = "cymru_whois"

// Spec is the node spec of the Team Cymru whois expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets asn, network, geolocation.cc, registry, allocated and as_name from Team Cymru's IP-to-ASN DNS service.",
	IntelMQ: "intelmq.bots.experts.cymru_whois.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Replace values already set."},
		{Name: "zone", Type: topology.ParamString, Default: "asn.cymru.com", Doc: "DNS zone of the service."},
	}, dnsq.Params, cache.Params(5)),
	Produces: []string{"source.asn", "source.network", "source.geolocation.cc", "source.registry", "source.allocated", "source.as_name",
		"destination.asn", "destination.network", "destination.geolocation.cc", "destination.registry", "destination.allocated", "destination.as_name"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Result is what the service says about an address.
type Result struct {
	ASN       int64  `json:"asn,omitempty"`
	Network   string `json:"network,omitempty"`
	CC        string `json:"cc,omitempty"`
	Registry  string `json:"registry,omitempty"`
	Allocated string `json:"allocated,omitempty"` // YYYY-MM-DD
	ASName    string `json:"as_name,omitempty"`
}

// Expert is the Team Cymru whois expert.
type Expert struct {
	res       *dnsq.Resolver
	lookup    cache.Lookup[Result]
	zone      string
	overwrite bool
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{overwrite: p.Bool("overwrite"), zone: strings.Trim(p.String("zone"), ".")}
	if _, ok := dns.IsDomainName(x.zone); !ok || x.zone == "" {
		return nil, &topology.ParamError{Node: Name, Param: "zone", Err: errInvalidZone(x.zone)}
	}
	var err error
	if x.res, err = dnsq.FromParams(Name, p); err != nil {
		return nil, err
	}
	if x.lookup, err = cache.LookupFromParams[Result](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

type errInvalidZone string

func (e errInvalidZone) Error() string { return strconv.Quote(string(e)) + " is not a domain name" }

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process looks up e's addresses and emits it.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, s := range enrich.Sides(e) {
		a, ok := s.IP()
		if !ok {
			continue
		}
		key := "4_" + a.String()
		if a.Is6() {
			key = "6_" + a.String()
		}
		r, err := x.lookup.DoTTL(ctx, key, func() (Result, time.Duration, error) { return x.Query(ctx, a) })
		if err != nil {
			return err
		}
		if err := x.apply(e, s.Prefix, r); err != nil {
			return err
		}
	}
	emit(e)
	return nil
}

func (x *Expert) apply(e *dho.Event, prefix string, r Result) error {
	set := func(field string, v any) error {
		_, err := enrich.Add(e, prefix+field, v, x.overwrite)
		return err
	}
	if r.ASN > 0 {
		if err := set("asn", r.ASN); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"network", r.Network}, {"geolocation.cc", r.CC}, {"as_name", r.ASName},
	} {
		if f.v != "" {
			if err := set(f.name, f.v); err != nil {
				return err
			}
		}
	}
	if r.Registry != "" && !strings.EqualFold(r.Registry, "other") {
		if err := set("registry", r.Registry); err != nil {
			return err
		}
	}
	if r.Allocated != "" {
		if err := set("allocated", r.Allocated+"T00:00:00+00:00"); err != nil {
			return err
		}
	}
	return nil
}

// OriginName returns the TXT name asked for an address.
func (x *Expert) OriginName(a netip.Addr) string {
	rev, _ := dns.ReverseAddr(a.String())
	if a.Is4() {
		return strings.TrimSuffix(rev, "in-addr.arpa.") + "origin." + x.zone
	}
	return strings.TrimSuffix(rev, "ip6.arpa.") + "origin6." + x.zone
}

// Query asks the service about a and returns the result with the TTL it
// may be cached for. A name the service does not know gives an empty
// result; network failures and timeouts are transient errors.
func (x *Expert) Query(ctx context.Context, a netip.Addr) (Result, time.Duration, error) {
	ans, err := x.res.Query(ctx, x.OriginName(a), dns.TypeTXT)
	if err != nil {
		return Result{}, 0, err
	}
	var best Result
	bestBits := -1
	for _, rr := range ans.RRs {
		r := ParseOrigin(dnsq.TXT(rr.(*dns.TXT)))
		bits := -1
		if p, err := netip.ParsePrefix(r.Network); err == nil {
			bits = p.Bits()
		}
		if bestBits < 0 && best == (Result{}) || bits > bestBits {
			best, bestBits = r, bits
		}
	}
	ttl := ans.TTL
	if best.ASN > 0 {
		asn, err := x.res.Query(ctx, "AS"+strconv.FormatInt(best.ASN, 10)+"."+x.zone, dns.TypeTXT)
		if err != nil {
			return Result{}, 0, err
		}
		if len(asn.RRs) > 0 {
			best.ASName = ParseASName(dnsq.TXT(asn.RRs[0].(*dns.TXT)))
			ttl = min(ttl, asn.TTL)
		}
	}
	return best, ttl, nil
}

// fields splits a Cymru answer at "|", trims spaces and quotes, and turns
// "NA" into "".
func fields(text string) []string {
	parts := strings.Split(text, "|")
	for i, p := range parts {
		p = strings.TrimSpace(strings.ReplaceAll(p, `"`, ""))
		if p == "NA" {
			p = ""
		}
		parts[i] = p
	}
	return parts
}

// ParseOrigin reads an origin answer, e.g.
// "64496 | 192.0.2.0/24 | AT | ripencc | 2002-04-17".
func ParseOrigin(text string) Result {
	f := fields(text)
	for len(f) < 5 {
		f = append(f, "")
	}
	var r Result
	if asns := strings.Fields(f[0]); len(asns) > 0 {
		if n, err := strconv.ParseInt(asns[0], 10, 64); err == nil && n > 0 && n <= 4294967295 {
			r.ASN = n
		}
	}
	if p, err := netip.ParsePrefix(f[1]); err == nil {
		r.Network = p.Masked().String()
	}
	if len(f[2]) == 2 {
		r.CC = strings.ToUpper(f[2])
	}
	r.Registry = f[3]
	if _, err := time.Parse(time.DateOnly, f[4]); err == nil {
		r.Allocated = f[4]
	}
	return r
}

// ParseASName reads the AS name from an AS answer, e.g.
// "64496 | AT | ripencc | 2002-01-04 | EXAMPLE-AS Example Networks, AT".
func ParseASName(text string) string {
	f := fields(text)
	if len(f) < 5 {
		return ""
	}
	return strings.Join(f[4:], "|")
}
