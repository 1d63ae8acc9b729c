// Package url2fqdn is the url2fqdn expert: it writes the host of
// source.url and destination.url to SIDE.fqdn, or to SIDE.ip when the
// host is an IP address, as IntelMQ's url2fqdn expert does (IntelMQ
// deprecates it in favour of the url expert, which does this and more).
//
// A side whose fqdn is set is skipped unless overwrite is set; an ip that
// is set is kept unless overwrite is set. A side with several URLs gets the
// hosts of all. Events without URLs pass unchanged.
package url2fqdn

import (
	"context"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/experts/internal/urlparts"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "url2fqdn"

// Spec is the node spec of the url2fqdn expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Writes the host of source.url/destination.url to SIDE.fqdn (or SIDE.ip for an address); superseded by the url expert.",
	IntelMQ: "intelmq.bots.experts.url2fqdn.expert",
	Params: []topology.Param{
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Whether to replace fqdn and ip values the event has."},
	},
	Produces: []string{"source.fqdn", "source.ip", "destination.fqdn", "destination.ip"},
	Examples: []topology.Example{
		{Name: "host of the URL", Input: map[string]any{"source.url": "https://www.example.com/path?q=1"},
			Output: []map[string]any{{"source.fqdn": "www.example.com"}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return &Expert{Overwrite: p.Bool("overwrite")}, nil })
}

// Expert is the url2fqdn expert.
type Expert struct{ Overwrite bool }

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process writes the hosts and emits e.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	x.side(&e.Source)
	x.side(&e.Destination)
	emit(e)
	return nil
}

func (x *Expert) side(ep *dho.Endpoint) {
	if len(ep.URL) == 0 || len(ep.FQDN) > 0 && !x.Overwrite {
		return
	}
	var fqdns, ips []string
	for _, raw := range ep.URL {
		u, ok := urlparts.Parse(raw)
		if !ok || u.Host == "" {
			continue
		}
		if f, err := sanitize.FQDN(u.Host); err == nil {
			fqdns = appendNew(fqdns, f)
		} else if ip, err := sanitize.IPAddress(u.Host); err == nil {
			ips = appendNew(ips, ip)
		}
	}
	if len(fqdns) > 0 {
		ep.FQDN = fqdns
	}
	if len(ips) > 0 && (len(ep.IP) == 0 || x.Overwrite) {
		ep.IP = ips
	}
}

func appendNew(list []string, s string) []string {
	for _, t := range list {
		if t == s {
			return list
		}
	}
	return append(list, s)
}
