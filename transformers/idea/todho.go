package idea

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers"
)

// ToDHO converts an IDEA message into a DHO event.
//
// It is the inverse of FromDHO: ID → id (when it is a lowercase UUID,
// else kept in extra.idea.id), DetectTime → time.observation, EventTime →
// time.source, Category → classification (the categories in
// extra.idea.category when the classification does not give them back),
// Description, Note, Confidence, Ref, Node[0].Name/Note → feed.code/name,
// the hashes of the "Malware" attachment → malware.hash.*, Source and
// Target → source.* and destination.* (several Source objects merge into
// one DHO source, whose fields hold several values), Proto →
// protocol.transport and protocol.application. IDEA keys DHO has no field
// for keep their JSON value in extra.idea.* (AltNames, CorrelID, AggrID,
// PredID, RelID, CreateTime, CeaseTime, WinStartTime, WinEndTime,
// ConnCount, FlowCount, PacketCount, ByteCount, the rest of Ref, Node and
// Attach; per endpoint Type, MAC, Note, Spoofed, Imprecise, Anonymised,
// AttachHand, Router, Netname, Ref, and the IP4/IP6 networks and ranges
// as ip_ranges), booleans as booleans.
//
// Reported lost: values DHO refuses (a Hostname that is no domain name),
// a second ASN or e-mail address of an endpoint, endpoint
// keys of a second Source or Target object that differ from the first's,
// and keys IDEA0 does not define. With transformers.Strict any loss fails
// the conversion.
func ToDHO(m *Message, opts ...transformers.Option) (*dho.Event, transformers.Losses, error) {
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	o := transformers.Apply(opts)
	c := &toDHO{m: m, Builder: transformers.NewBuilder()}
	c.id()
	c.setTime("DetectTime", "time.observation", m.DetectTime)
	c.setTime("EventTime", "time.source", m.EventTime)
	c.category()
	c.Set("Description", "event_description.text", m.Description)
	c.Set("Note", "comment", m.Note)
	if m.Confidence != nil {
		c.Set("Confidence", "feed.accuracy", scale(*m.Confidence, 2))
	}
	c.refs()
	c.node()
	c.attach()
	c.endpoints("Source", "source", "source", m.Source)
	c.endpoints("Target", "destination", "target", m.Target)
	c.protocols()
	for _, k := range eventOnly {
		c.keep(k.key, k.extra, fieldOf(&m.Event, k.key))
	}
	for _, u := range m.Unknown {
		c.Losses.Add(u.Path, "is not an IDEA0 key")
	}
	if err := o.Check("IDEA", "DHO", c.Losses); err != nil {
		return nil, c.Losses, err
	}
	return c.Event, c.Losses, nil
}

// DecodeDHO reads one IDEA message (Decode) and converts it into a DHO
// event (ToDHO): the decoder of IDEA parsers.
func DecodeDHO(raw []byte, opts ...transformers.Option) (*dho.Event, transformers.Losses, error) {
	return transformers.Decode(raw, Decode, ToDHO, opts...)
}

type toDHO struct {
	m *Message
	transformers.Builder
}

// keep stores the IDEA field f (when set) in extra.<name>.
func (c *toDHO) keep(path, name string, f reflect.Value) {
	if !f.IsZero() {
		c.Keep(path, name, f.Interface())
	}
}

func (c *toDHO) setTime(path, name string, t *transformers.Time) {
	if t != nil {
		c.Set(path, name, t.Time)
	}
}

func (c *toDHO) id() {
	var probe dho.Event
	if probe.Set("id", c.m.ID) == nil && probe.ID == c.m.ID {
		c.Event.ID = c.m.ID
		return
	}
	c.Keep("ID", extraID, c.m.ID)
}

func (c *toDHO) category() {
	typ, tax, _ := classOf(c.m.Category)
	c.Set("Category", "classification.type", typ)
	c.Set("Category", "classification.taxonomy", tax)
	if !sameCategories(c.m.Category, categoryOf(typ, tax)) {
		c.Keep("Category", extraCategory, c.m.Category)
	}
}

func (c *toDHO) refs() {
	var rest []string
	for i, r := range c.m.Ref {
		path := fmt.Sprintf("Ref[%d]", i)
		if v, ok := refVuln(r); ok {
			var probe dho.Event
			if probe.Append("product.vulnerabilities", v) == nil {
				c.Add(path, "product.vulnerabilities", v)
				continue
			}
		} else if c.Event.EventDescription.URL == "" && !strings.HasPrefix(strings.ToLower(r), "urn:") {
			var probe dho.Event
			if probe.Set("event_description.url", r) == nil && probe.EventDescription.URL == r {
				c.Event.EventDescription.URL = r
				continue
			}
		}
		rest = append(rest, r)
	}
	if len(rest) > 0 {
		c.Keep("Ref", extraRef, rest)
	}
}

func (c *toDHO) node() {
	nodes := c.m.Node
	if len(nodes) == 0 {
		return
	}
	n := nodes[0]
	name := n.Name != "" && c.Set("Node[0].Name", "feed.code", n.Name)
	note := n.Note != "" && c.Set("Node[0].Note", "feed.name", n.Note)
	canonical := len(nodes) == 1 && n.Type == nil && n.SW == nil && n.AggrWin == "" &&
		(n.Name == "" || name) && (n.Note == "" || note)
	if !canonical {
		c.Keep("Node", extraNode, nodes)
	}
}

func (c *toDHO) attach() {
	atts := c.m.Attach
	if len(atts) == 0 {
		return
	}
	taken := 0
	if i := slices.IndexFunc(atts, isMalware); i >= 0 {
		for j, h := range atts[i].Hash {
			field, ok := hashKind(h)
			if !ok || c.Event.Has(field) {
				continue
			}
			_, v, _ := strings.Cut(h, ":")
			if c.Set(fmt.Sprintf("Attach[%d].Hash[%d]", i, j), field, v) {
				taken++
			}
		}
	}
	a := atts[0]
	canonical := len(atts) == 1 && a.Handle == "malware" && slices.Equal(a.Type, []string{"Malware"}) &&
		taken == len(a.Hash) && reflect.DeepEqual(a, Attachment{Handle: a.Handle, Type: a.Type, Hash: a.Hash})
	if !canonical {
		c.Keep("Attach", extraAttach, atts)
	}
}

// endpoints merges the Source (or Target) objects into one DHO endpoint.
func (c *toDHO) endpoints(key, side, ideaSide string, eps []Endpoint) {
	var ranges []string
	defer func() {
		if len(ranges) > 0 {
			c.Keep(key, "idea."+ideaSide+"."+extraRanges, ranges)
		}
	}()
	for i, ep := range eps {
		p := fmt.Sprintf("%s[%d].", key, i)
		for j, v := range ep.IP4 {
			if r := c.address(fmt.Sprintf("%sIP4[%d]", p, j), side, v); r != "" {
				ranges = append(ranges, r)
			}
		}
		for j, v := range ep.IP6 {
			if r := c.address(fmt.Sprintf("%sIP6[%d]", p, j), side, v); r != "" {
				ranges = append(ranges, r)
			}
		}
		for j, v := range ep.Hostname {
			c.Add(fmt.Sprintf("%sHostname[%d]", p, j), side+".fqdn", v)
		}
		for j, v := range ep.URL {
			c.Add(fmt.Sprintf("%sURL[%d]", p, j), side+".url", v)
		}
		for j, v := range ep.Port {
			c.Add(fmt.Sprintf("%sPort[%d]", p, j), side+".port", v)
		}
		for j, v := range ep.ASN {
			c.Once(fmt.Sprintf("%sASN[%d]", p, j), side+".asn", v)
		}
		for j, v := range ep.Email {
			c.Once(fmt.Sprintf("%sEmail[%d]", p, j), side+".account", v)
		}
		for _, k := range endpointOnly {
			f := fieldOf(&eps[i], k.key)
			if f.IsZero() {
				continue
			}
			if i == 0 {
				c.keep(p+k.key, "idea."+ideaSide+"."+k.extra, f)
			} else if !reflect.DeepEqual(f.Interface(), fieldOf(&eps[0], k.key).Interface()) {
				c.Losses.Add(p+k.key, "differs from the first "+key+" object's, and DHO merges them into one "+side)
			}
		}
	}
}

// address adds an IP address to side.ip and returns "", or returns v when
// it is a network or range, which DHO's address fields cannot hold.
func (c *toDHO) address(path, side, v string) string {
	if _, err := netip.ParseAddr(v); err == nil {
		c.Add(path, side+".ip", v)
		return ""
	}
	if p, err := netip.ParsePrefix(v); err == nil && p.IsSingleIP() {
		c.Add(path, side+".ip", p.Addr().String())
		return ""
	}
	return v
}

// protocols reads Proto of every Source and Target object: the first
// transport protocol DHO knows becomes protocol.transport, the first other
// name protocol.application; further different names are lost.
func (c *toDHO) protocols() {
	for _, side := range []struct {
		key string
		eps []Endpoint
	}{{"Source", c.m.Source}, {"Target", c.m.Target}} {
		for i, ep := range side.eps {
			for j, p := range ep.Proto {
				path := fmt.Sprintf("%s[%d].Proto[%d]", side.key, i, j)
				lp := strings.ToLower(p)
				switch {
				case lp == c.Event.Protocol.Transport || lp == c.Event.Protocol.Application:
				case c.Event.Protocol.Transport == "" && isTransport(lp):
					c.Set(path, "protocol.transport", lp)
				case c.Event.Protocol.Application == "":
					c.Set(path, "protocol.application", lp)
				default:
					c.Losses.AddValue(path, p, "is a further protocol; DHO holds one transport and one application protocol")
				}
			}
		}
	}
}
