// Package url is the URL expert: it fills in what source.url and
// destination.url say about their side, as IntelMQ's url expert does.
//
// From each side's URLs it takes the host (an IP address to SIDE.ip, a
// domain name to SIDE.fqdn), the port (the explicit one, else the default
// port of the scheme: ftp 21, http 80, https 443, sftp and ssh 22, tftp 69,
// ws 80, wss 443), the path (SIDE.urlpath) and the user name
// (SIDE.account). protocol.application gets the scheme (https: http) and
// protocol.transport the scheme's transport (tcp, tftp: udp), both from
// the first side with a URL (source first).
//
// A field the event has is left alone unless overwrite is set; fields in
// skip_fields are never written. A side holding several URLs gives each
// multi-valued field (ip, fqdn, port) the values of all of them and each
// single-valued one the value of the first. Events without URLs pass
// unchanged; URLs Go cannot read and values a field does not accept (an
// invalid user name, a port beyond 65535) are skipped.
package url

import (
	"context"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/urlparts"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "url"

// Spec is the node spec of the URL expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Fills in ip or fqdn, port, urlpath and account of each side, and protocol.application/transport, from source.url and destination.url.",
	IntelMQ: "intelmq.bots.experts.url.expert",
	Params: []topology.Param{
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Whether to replace fields the event has."},
		{Name: "skip_fields", Type: topology.ParamStrings, Doc: "Fields never to write.", Example: []string{"source.account"}},
	},
	Produces: []string{"source.ip", "source.fqdn", "source.port", "source.urlpath", "source.account",
		"destination.ip", "destination.fqdn", "destination.port", "destination.urlpath", "destination.account",
		"protocol.application", "protocol.transport"},
	Examples: []topology.Example{
		{Name: "parts of the URL", Input: map[string]any{"source.url": "https://www.example.com:8443/login.php"},
			Output: []map[string]any{{"source.fqdn": "www.example.com", "source.port": 8443, "source.urlpath": "/login.php", "protocol.application": "http"}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		skip := p.Strings("skip_fields")
		if err := fieldval.CheckAll(skip); err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "skip_fields", Err: err}
		}
		return New(p.Bool("overwrite"), skip), nil
	})
}

type scheme struct {
	port        int64
	transport   string
	application string // "" for the scheme itself
}

var schemes = map[string]scheme{
	"ftp":   {port: 21, transport: "tcp"},
	"http":  {port: 80, transport: "tcp"},
	"https": {port: 443, application: "http"},
	"sftp":  {port: 22, transport: "tcp"},
	"ssh":   {port: 22, transport: "tcp"},
	"tftp":  {port: 69, transport: "udp"},
	"ws":    {port: 80, transport: "tcp"},
	"wss":   {port: 443, transport: "tcp"},
}

// Expert is the URL expert.
type Expert struct {
	overwrite bool
	skip      map[string]bool
}

// New returns the expert.
func New(overwrite bool, skipFields []string) *Expert {
	x := &Expert{overwrite: overwrite, skip: map[string]bool{}}
	for _, f := range skipFields {
		x.skip[f] = true
	}
	return x
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process fills in e's fields from its URLs and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	x.Apply(e)
	emit(e)
	return nil
}

type side struct {
	name string
	ep   func(*dho.Event) *dho.Endpoint
}

var sides = []side{
	{"source", func(e *dho.Event) *dho.Endpoint { return &e.Source }},
	{"destination", func(e *dho.Event) *dho.Endpoint { return &e.Destination }},
}

// Apply fills in e's fields in place.
func (x *Expert) Apply(e *dho.Event) {
	protocols := false
	for _, s := range sides {
		ep := s.ep(e)
		if len(ep.URL) == 0 {
			continue
		}
		var ips, fqdns []string
		var ports []int64
		var path, account, firstScheme string
		for _, raw := range ep.URL {
			u, ok := urlparts.Parse(raw)
			if !ok {
				continue
			}
			if firstScheme == "" {
				firstScheme = u.Scheme
			}
			if u.Host != "" {
				if ip, err := sanitize.IPAddress(u.Host); err == nil {
					ips = append(ips, ip)
				} else if fqdn, err := sanitize.FQDN(u.Host); err == nil {
					fqdns = append(fqdns, fqdn)
				}
			}
			if u.Port > 0 {
				ports = append(ports, int64(u.Port))
			} else if sc, ok := schemes[u.Scheme]; ok && u.Port == 0 {
				ports = append(ports, sc.port)
			}
			if path == "" {
				path = u.Path
			}
			if account == "" {
				account = u.User
			}
		}
		x.set(e, s.name+".ip", ips)
		x.set(e, s.name+".fqdn", fqdns)
		if len(ports) > 0 {
			x.set(e, s.name+".port", ports)
		}
		x.set(e, s.name+".urlpath", path)
		x.set(e, s.name+".account", account)
		if !protocols && firstScheme != "" {
			protocols = true
			sc, known := schemes[firstScheme]
			app := firstScheme
			if known && sc.application != "" {
				app = sc.application
			}
			x.set(e, "protocol.application", app)
			if known && sc.transport != "" {
				x.set(e, "protocol.transport", sc.transport)
			}
		}
	}
}

// set writes v into the field unless it is empty, skipped, or set and not
// to be overwritten. Values the field refuses are skipped, as IntelMQ
// skips an invalid account.
func (x *Expert) set(e *dho.Event, field string, v any) {
	switch v := v.(type) {
	case string:
		if v == "" {
			return
		}
	case []string:
		if len(v) == 0 {
			return
		}
	}
	if x.skip[field] || !x.overwrite && e.Has(field) {
		return
	}
	_ = e.Set(field, v)
}
