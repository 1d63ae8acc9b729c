// Package rfc1918 is the RFC 1918 expert: it removes fields, or drops
// events, whose IP address, domain name, URL host or AS number is private,
// reserved or meant for documentation, as IntelMQ's rfc1918 expert does.
//
// fields and policy are lists of equal length: policy "del" removes the
// matching value from its field, "drop" drops the event. The fields are
// SIDE.ip, SIDE.fqdn, SIDE.url and SIDE.asn. Fields are checked in order
// and checking stops at the first match (as in IntelMQ).
//
// What counts: the IPv4 networks 10/8, 100.64/10, 127/8, 169.254/16,
// 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16, 198.18/15,
// 198.51.100/24, 203.0.113/24, 224/4, 240/4 and 255.255.255.255, the IPv6
// networks fe80::/64 and 2001:db8::/32; the domains example.com,
// example.net and example.org and every name under them or under the TLDs
// test, example, invalid and localhost; AS numbers 64496–64511 and
// 65536–65551.
//
// Differences from IntelMQ: a URL's host is read without its port and
// user (IntelMQ reads the whole network location, so it misses
// "http://10.0.0.1:8080/"); in a multi-valued field each value is checked
// and "del" removes only the matching values.
package rfc1918

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/urlparts"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "rfc1918"

// Spec is the node spec of the RFC 1918 expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Removes fields (policy del) or drops events (policy drop) whose IP, FQDN, URL host or ASN is private, reserved or for documentation.",
	IntelMQ: "intelmq.bots.experts.rfc1918.expert",
	Params: []topology.Param{
		{Name: "fields", Type: topology.ParamStrings, Default: "destination.ip,source.ip,source.url", Doc: "Fields to check: SIDE.ip, SIDE.fqdn, SIDE.url, SIDE.asn."},
		{Name: "policy", Type: topology.ParamStrings, Default: "del,drop,drop", Doc: "One policy per field: del (remove the value) or drop (drop the event)."},
	},
	Examples: []topology.Example{
		{Name: "private destination removed", Input: map[string]any{"source.ip": "198.51.100.1", "destination.ip": "10.0.0.1"},
			Output: []map[string]any{{"source.ip": "198.51.100.1", "destination.ip": nil}}},
		{Name: "documentation source dropped", Input: map[string]any{"source.ip": "192.0.2.1"}, Output: []map[string]any{}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p.Strings("fields"), p.Strings("policy")) })
}

var networks = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32", "fe80::/64", "2001:db8::/32"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

var (
	domains    = []string{"example.com", "example.net", "example.org"}
	subdomains = []string{".test", ".example", ".invalid", ".localhost", ".example.com", ".example.net", ".example.org"}
)

// ReservedIP reports whether s is an address in one of the networks.
func ReservedIP(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, n := range networks {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// ReservedDomain reports whether s is one of the domains or under one of
// the reserved names.
func ReservedDomain(s string) bool {
	for _, d := range domains {
		if s == d {
			return true
		}
	}
	for _, d := range subdomains {
		if strings.HasSuffix(s, d) {
			return true
		}
	}
	return false
}

// ReservedASN reports whether n is an AS number for documentation.
func ReservedASN(n int64) bool { return n >= 64496 && n <= 64511 || n >= 65536 && n <= 65551 }

func reservedURL(s string) bool {
	u, ok := urlparts.Parse(s)
	if !ok || u.Host == "" {
		return false
	}
	return ReservedIP(u.Host) || ReservedDomain(u.Host)
}

type check struct {
	field string
	drop  bool
	test  func(string) bool // for text fields
}

// Expert is the RFC 1918 expert.
type Expert struct{ checks []check }

// New returns the expert checking fields with their policies.
func New(fields, policies []string) (*Expert, error) {
	perr := func(param string, format string, args ...any) error {
		return &topology.ParamError{Node: Name, Param: param, Err: fmt.Errorf(format, args...)}
	}
	if len(fields) != len(policies) {
		return nil, perr("policy", "%d policies for %d fields: give one per field", len(policies), len(fields))
	}
	x := &Expert{}
	for i, f := range fields {
		f = strings.ToLower(strings.TrimSpace(f))
		c := check{field: f}
		side, kind, _ := strings.Cut(f, ".")
		if side != "source" && side != "destination" {
			return nil, perr("fields", "%q: the fields are source.* or destination.* ip, fqdn, url and asn", f)
		}
		switch kind {
		case "ip":
			c.test = ReservedIP
		case "fqdn":
			c.test = ReservedDomain
		case "url":
			c.test = reservedURL
		case "asn":
		default:
			return nil, perr("fields", "%q: the fields are source.* or destination.* ip, fqdn, url and asn", f)
		}
		switch strings.ToLower(strings.TrimSpace(policies[i])) {
		case "drop":
			c.drop = true
		case "del":
		default:
			return nil, perr("policy", "%q: the policies are del and drop", policies[i])
		}
		x.checks = append(x.checks, c)
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process checks e and emits it, or nothing when a drop policy matched.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, c := range x.checks {
		v, ok := e.Get(c.field)
		if !ok {
			continue
		}
		var match bool
		switch v := v.(type) {
		case int64: // asn
			match = ReservedASN(v)
			if match && !c.drop {
				e.Delete(c.field)
			}
		case string:
			match = c.test(v)
			if match && !c.drop {
				e.Delete(c.field)
			}
		case []string:
			keep := make([]string, 0, len(v))
			for _, s := range v {
				if c.test(s) {
					match = true
				} else {
					keep = append(keep, s)
				}
			}
			if match && !c.drop {
				if err := e.Set(c.field, keep); err != nil {
					return err
				}
			}
		}
		if match {
			if c.drop {
				return nil
			}
			break
		}
	}
	emit(e)
	return nil
}
