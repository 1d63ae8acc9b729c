// Package grouping is the grouping expert: it assigns each event to a
// group by rules and records the group in the event's group field, so that
// outputs can write one file, mail or batch per group (the file output's
// {group} path, the notify expert's group_by: group).
//
// A rule is a list of parts; the group is the parts' values joined with
// the separator. A part is a field name (feed.name, misp.event_uuid,
// source.abuse_contact ...), alternatives "a|b" (the first that is set),
// or network(FIELD): the network of an address field at the node's prefix
// lengths (ipv4_prefix, ipv6_prefix), e.g. network(source.ip) → 192.0.2.0/24.
// The first rule whose parts are all set decides; an event no rule fits
// keeps no group (or gets the default).
package grouping

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "grouping"

// Spec is the node spec of the grouping expert.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindExpert,
	Doc:  "Assigns events to groups by rules (same report, MISP event, network, recipient ...) and records the group in the group field, for one file, mail or batch per group.",
	Params: []topology.Param{
		{Name: "rules", Type: topology.ParamStrings, Default: []string{"network(source.ip)"},
			Doc: `Rules, tried in order: parts separated by "+", each a field, alternatives "a|b", or network(FIELD); e.g. "feed.name + time.observation" (same report), "misp.event_uuid", "notification.recipient|source.abuse_contact".`},
		{Name: "separator", Type: topology.ParamString, Default: " ", Doc: "Text between the parts of a group."},
		{Name: "ipv4_prefix", Type: topology.ParamInt, Default: int64(24), Doc: "Prefix length of network() for IPv4 addresses."},
		{Name: "ipv6_prefix", Type: topology.ParamInt, Default: int64(48), Doc: "Prefix length of network() for IPv6 addresses."},
		{Name: "default", Type: topology.ParamString, Default: "", Doc: "Group of events that no rule fits (empty: none)."},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Replace a group the event already has."},
	},
	Produces: []string{"group"},
	Examples: []topology.Example{
		{Name: "network of the source", Input: map[string]any{"source.ip": "192.0.2.77"}, Output: []map[string]any{{"group": "192.0.2.0/24"}}},
		{Name: "MISP event, else recipient", Params: map[string]any{"rules": []any{"misp.event_uuid", "source.abuse_contact"}},
			Input: map[string]any{"source.abuse_contact": "abuse@example.net"}, Output: []map[string]any{{"group": "abuse@example.net"}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// part is one part of a rule: alternatives, each a field, optionally as
// its network.
type part []alt

type alt struct {
	field   string
	network bool
}

// Expert is the grouping expert. It is safe for concurrent use.
type Expert struct {
	rules     [][]part
	sep       string
	v4, v6    int
	def       string
	overwrite bool
}

// New builds the expert from validated parameters.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{sep: p.String("separator"), v4: int(p.Int("ipv4_prefix")), v6: int(p.Int("ipv6_prefix")),
		def: p.String("default"), overwrite: p.Bool("overwrite")}
	perr := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	if x.v4 < 0 || x.v4 > 32 {
		return nil, perr("ipv4_prefix", fmt.Errorf("%d: want 0 to 32", x.v4))
	}
	if x.v6 < 0 || x.v6 > 128 {
		return nil, perr("ipv6_prefix", fmt.Errorf("%d: want 0 to 128", x.v6))
	}
	for _, r := range p.Strings("rules") {
		rule, err := parseRule(r)
		if err != nil {
			return nil, perr("rules", fmt.Errorf("%q: %w", r, err))
		}
		x.rules = append(x.rules, rule)
	}
	if len(x.rules) == 0 {
		return nil, perr("rules", fmt.Errorf("no rules given"))
	}
	return x, nil
}

func parseRule(r string) ([]part, error) {
	var rule []part
	for _, ps := range strings.Split(r, "+") {
		var pt part
		for _, a := range strings.Split(ps, "|") {
			a = strings.TrimSpace(a)
			var al alt
			if inner, ok := strings.CutPrefix(a, "network("); ok {
				f, ok := strings.CutSuffix(inner, ")")
				if !ok {
					return nil, fmt.Errorf("%q: network( without )", a)
				}
				al = alt{field: strings.TrimSpace(f), network: true}
				if fd, ok := dho.LookupField(al.field); !ok || fd.Type != dho.TypeIPAddress {
					return nil, fmt.Errorf("network(%s): not an IP address field", al.field)
				}
			} else {
				if a == "" {
					return nil, fmt.Errorf("an empty part")
				}
				if err := fieldval.Check(a); err != nil {
					return nil, err
				}
				al = alt{field: a}
			}
			pt = append(pt, al)
		}
		rule = append(rule, pt)
	}
	return rule, nil
}

// Spec returns the node spec.
func (x *Expert) Spec() topology.Spec { return Spec }

// Group returns the group of e by the rules ("" when none fits).
func (x *Expert) Group(e *dho.Event) string {
	var b strings.Builder
	for _, rule := range x.rules {
		b.Reset()
		ok := true
		for i, pt := range rule {
			v, found := x.value(e, pt)
			if !found {
				ok = false
				break
			}
			if i > 0 {
				b.WriteString(x.sep)
			}
			b.WriteString(v)
		}
		if ok {
			return b.String()
		}
	}
	return x.def
}

// value is the first alternative of pt that e has, as text.
func (x *Expert) value(e *dho.Event, pt part) (string, bool) {
	for _, a := range pt {
		v, ok := fieldval.First(e, a.field)
		if !ok || v == "" {
			continue
		}
		if !a.network {
			return v, true
		}
		addr, err := netip.ParseAddr(v)
		if err != nil {
			continue
		}
		bits := x.v6
		if addr.Is4() || addr.Is4In6() {
			addr, bits = addr.Unmap(), x.v4
		}
		pfx, err := addr.Prefix(bits)
		if err != nil {
			continue
		}
		return pfx.String(), true
	}
	return "", false
}

// Process sets e's group and passes it on.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	if e.Group == "" || x.overwrite {
		if g := x.Group(e); g != "" {
			e.Group = g
		}
	}
	emit(e)
	return nil
}
