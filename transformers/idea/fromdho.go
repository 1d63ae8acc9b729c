package idea

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers"
)

// FromDHO converts a DHO event into an IDEA message.
//
// What maps: id → ID (a new id when the event has none, or the original
// IDEA ID kept in extra.idea.id); time.observation → DetectTime (else
// time.source, else now: IDEA requires it); time.source → EventTime;
// classification → Category; event_description.text → Description;
// comment → Note; feed.accuracy (percent) → Confidence (0 to 1);
// event_description.url and product.vulnerabilities (as urn:cve:CVE-… or
// urn:vuln:…) → Ref; feed.code → Node[0].Name (when it is a namespaced
// identifier), feed.name → Node[0].Note; malware.hash.* → the hashes of a
// "Malware" attachment; source.* and destination.* → Source[0] and
// Target[0] (ip → IP4/IP6, port, fqdn → Hostname, url, asn → ASN, an
// account that is an e-mail address → Email); protocol.* → Proto; and the
// extra.idea.* values an IDEA message left (AltNames, RelID, CeaseTime,
// ConnCount, Source's Type, Spoofed ... see ToDHO) back to their keys.
//
// Every other field that is set, and every value IDEA's syntax cannot
// hold (a Ref that is no URI, a protocol name with a slash), is reported
// in the losses. A classification type without an IDEA category of its own
// (tor, blacklist, c2-server ...) gets the closest category and is
// reported lost, since the category reads back as another type. With
// transformers.Strict, any loss fails the conversion with a
// *transformers.LossError.
func FromDHO(e *dho.Event, opts ...transformers.Option) (*Event, transformers.Losses, error) {
	o := transformers.Apply(opts)
	c := &fromDHO{e: e, m: &Event{Format: FormatName}}
	c.unmapped()
	c.id()
	c.times()
	c.category()
	c.m.Description = e.EventDescription.Text
	c.m.Note = e.Comment
	if a := e.Feed.Accuracy; a != nil {
		conf := scale(*a, -2)
		c.m.Confidence = &conf
	}
	c.refs()
	c.node()
	c.attach()
	c.endpoints()
	c.eventExtras()
	if err := o.Finish("DHO", "IDEA", c.m.Validate(), c.losses); err != nil {
		return nil, c.losses, err
	}
	return c.m, c.losses, nil
}

// AppendJSON converts e into an IDEA message (FromDHO) and appends it to
// dst as one line of JSON without the newline: the encoder of IDEA outputs.
func AppendJSON(dst []byte, e *dho.Event, opts ...transformers.Option) ([]byte, transformers.Losses, error) {
	return transformers.Encode(dst, e, FromDHO, opts...)
}

type fromDHO struct {
	e      *dho.Event
	m      *Event
	losses transformers.Losses
}

func (c *fromDHO) lose(field, reason string)             { c.losses.Add(field, reason) }
func (c *fromDHO) loseValue(field, value, reason string) { c.losses.AddValue(field, value, reason) }

// unmapped reports every set field IDEA has no key for.
func (c *fromDHO) unmapped() {
	c.losses = append(c.losses, transformers.Unmapped(c.e, "IDEA", mappedFields, func(k string) bool { return mappedExtras[k] })...)
}

// extra returns the extra value named k.
func (c *fromDHO) extra(k string) (dho.Value, bool) { return c.e.Extra.Get(k) }

// extraInto decodes extra value k into ptr and checks the result with ok;
// a value that does not fit is reported lost.
func (c *fromDHO) extraInto(k string, ptr any, ok func() bool) bool {
	return c.extraField(k, reflect.ValueOf(ptr).Elem(), ok)
}

// extraField decodes extra value k into the field f and checks the result
// with ok; a value that does not fit is reported lost and leaves f as it
// was.
func (c *fromDHO) extraField(k string, f reflect.Value, ok func() bool) bool {
	v, has := c.extra(k)
	if !has {
		return false
	}
	old := reflect.New(f.Type()).Elem()
	old.Set(f)
	fresh := reflect.New(f.Type())
	if err := transformers.DecodeValue(v, fresh.Interface()); err == nil {
		f.Set(fresh.Elem())
		if ok() {
			return true
		}
	}
	f.Set(old)
	c.lose("extra."+k, "is not a valid IDEA value for its key")
	return false
}

func (c *fromDHO) id() {
	var orig string
	if c.extraInto(extraID, &orig, func() bool { return reID.MatchString(orig) }) {
		c.m.ID = orig
		if c.e.ID != "" {
			c.lose("id", "the message keeps its original IDEA ID (extra.idea.id)")
		}
		return
	}
	if c.e.ID != "" {
		c.m.ID = c.e.ID
		return
	}
	c.m.ID = dho.NewID()
}

func (c *fromDHO) times() {
	t := c.e.Time
	switch {
	case t.Observation != nil:
		c.m.DetectTime = transformers.TimeOf(t.Observation)
	case t.Source != nil:
		c.m.DetectTime = transformers.TimeOf(t.Source)
	default:
		c.m.DetectTime = &transformers.Time{Time: time.Now().UTC().Truncate(time.Microsecond)}
	}
	c.m.EventTime = transformers.TimeOf(t.Source)
}

func (c *fromDHO) category() {
	typ, tax := c.e.Classification.Type, c.e.Classification.Taxonomy
	cats := []string{categoryOf(typ, tax)}
	var kept []string
	if c.extraInto(extraCategory, &kept, func() bool {
		return len(kept) > 0 && !slices.ContainsFunc(kept, func(s string) bool { return !IsCategory(s) })
	}) {
		t2, x2, _ := classOf(kept)
		if (typ == "" || t2 == typ) && (tax == "" || x2 == tax) {
			cats = kept
		} else {
			c.lose("extra."+extraCategory, "does not match the event's classification any more")
		}
	}
	c.m.Category = cats
	t2, x2, _ := classOf(cats)
	if typ != "" && t2 != typ {
		c.lose("classification.type", fmt.Sprintf("IDEA has no category for %q: %s reads back as %q", typ, cats[0], t2))
	}
	if tax != "" && x2 != tax {
		c.lose("classification.taxonomy", fmt.Sprintf("IDEA category %s reads back as taxonomy %q", cats[0], x2))
	}
}

func (c *fromDHO) refs() {
	if u := c.e.EventDescription.URL; u != "" {
		if IsURI(u) {
			c.m.Ref = append(c.m.Ref, u)
		} else {
			c.lose("event_description.url", "is not a URI as IDEA's Ref requires")
		}
	}
	for _, v := range c.e.Product.Vulnerabilities {
		if r := vulnRef(v); IsURI(r) {
			c.m.Ref = append(c.m.Ref, r)
		} else {
			c.loseValue("product.vulnerabilities", v, "makes no URN as IDEA's Ref requires")
		}
	}
	var more []string
	if c.extraInto(extraRef, &more, func() bool { return true }) {
		for _, r := range more {
			if IsURI(r) {
				c.m.Ref = append(c.m.Ref, r)
			} else {
				c.loseValue("extra."+extraRef, r, "is not a URI as IDEA's Ref requires")
			}
		}
	}
}

func (c *fromDHO) node() {
	var nodes []Node
	c.extraInto(extraNode, &nodes, func() bool {
		p := probe()
		p.Node = nodes
		return p.Validate() == nil
	})
	first := func() *Node {
		if len(nodes) == 0 {
			nodes = []Node{{}}
		}
		return &nodes[0]
	}
	if code := c.e.Feed.Code; code != "" {
		if reNSID.MatchString(code) {
			first().Name = code
		} else {
			c.lose("feed.code", "is not a namespaced identifier as IDEA's Node.Name requires")
		}
	}
	if name := c.e.Feed.Name; name != "" {
		first().Note = name
	}
	c.m.Node = nodes
}

func (c *fromDHO) attach() {
	var atts []Attachment
	c.extraInto(extraAttach, &atts, func() bool {
		p := probe()
		p.Attach = atts
		return p.Validate() == nil
	})
	hashes := map[string]string{} // DHO field → IDEA hash
	for _, k := range hashKinds {
		v, ok := c.e.Get(k.field)
		if !ok {
			continue
		}
		if h := k.prefix + v.(string); IsURI(h) {
			hashes[k.field] = h
		} else {
			c.lose(k.field, "makes no hash URI (type:value) as IDEA requires")
		}
	}
	if len(hashes) > 0 {
		i := slices.IndexFunc(atts, isMalware)
		if i < 0 {
			atts = append(atts, Attachment{Handle: "malware", Type: []string{"Malware"}})
			i = len(atts) - 1
		}
		// The event's hashes replace those of the same kind where they
		// were; a kind the event no longer has goes.
		var out []string
		for _, h := range atts[i].Hash {
			field, known := hashKind(h)
			if !known {
				out = append(out, h)
			} else if dh, ok := hashes[field]; ok {
				out = append(out, dh)
				delete(hashes, field)
			}
		}
		for _, k := range hashKinds {
			if h, ok := hashes[k.field]; ok {
				out = append(out, h)
			}
		}
		atts[i].Hash = out
	}
	c.m.Attach = atts
}

func isMalware(a Attachment) bool { return slices.Contains(a.Type, "Malware") }

// hashKind returns the DHO field of an IDEA hash of a kind DHO holds.
func hashKind(h string) (string, bool) {
	for _, k := range hashKinds {
		if strings.HasPrefix(strings.ToLower(h), k.prefix) {
			return k.field, true
		}
	}
	return "", false
}

func (c *fromDHO) endpoints() {
	src, hasSrc := c.endpoint("source", "source", &c.e.Source)
	dst, hasDst := c.endpoint("destination", "target", &c.e.Destination)
	protos := c.protocols()
	if len(protos) > 0 && !hasSrc && !hasDst {
		hasSrc = true
	}
	if hasSrc {
		src.Proto = protos
		c.m.Source = []Endpoint{src}
	}
	if hasDst {
		dst.Proto = protos
		c.m.Target = []Endpoint{dst}
	}
}

func (c *fromDHO) endpoint(side, ideaSide string, ep *dho.Endpoint) (Endpoint, bool) {
	var out Endpoint
	for _, ip := range ep.IP {
		a, err := netip.ParseAddr(ip)
		switch {
		case err == nil && a.Is4():
			out.IP4 = append(out.IP4, ip)
		case err == nil && ValidNet6(ip):
			out.IP6 = append(out.IP6, ip)
		default:
			c.loseValue(side+".ip", ip, "is no address IDEA takes")
		}
	}
	var ranges []string
	if c.extraInto("idea."+ideaSide+"."+extraRanges, &ranges, func() bool { return true }) {
		for _, r := range ranges {
			switch {
			case ValidNet4(r):
				out.IP4 = append(out.IP4, r)
			case ValidNet6(r):
				out.IP6 = append(out.IP6, r)
			default:
				c.loseValue("extra.idea."+ideaSide+"."+extraRanges, r, "is no IDEA address range")
			}
		}
	}
	out.Port = slices.Clone(ep.Port)
	out.Hostname = slices.Clone(ep.FQDN)
	out.URL = slices.Clone(ep.URL)
	if ep.ASN != nil {
		out.ASN = []int64{*ep.ASN}
	}
	if a := ep.Account; a != "" {
		if strings.Contains(a, "@") {
			out.Email = []string{a}
		} else {
			c.lose(side+".account", "is no e-mail address, the only kind of account IDEA has a key for")
		}
	}
	for _, k := range endpointOnly {
		name := "idea." + ideaSide + "." + k.extra
		c.extraField(name, fieldOf(&out, k.key), func() bool {
			p := probe()
			p.Source = []Endpoint{out}
			return p.Validate() == nil
		})
	}
	return out, !isZero(out)
}

func isZero(ep Endpoint) bool {
	return len(ep.Type)+len(ep.Hostname)+len(ep.IP4)+len(ep.MAC)+len(ep.IP6)+len(ep.Port)+len(ep.Proto)+len(ep.URL)+
		len(ep.Email)+len(ep.AttachHand)+len(ep.ASN)+len(ep.Router)+len(ep.Netname)+len(ep.Ref) == 0 &&
		ep.Note == "" && ep.Spoofed == nil && ep.Imprecise == nil && ep.Anonymised == nil
}

func (c *fromDHO) protocols() []string {
	var out []string
	p := c.e.Protocol
	if t := p.Transport; t != "" {
		if IsProtocolName(t) {
			out = append(out, t)
		} else {
			c.lose("protocol.transport", "is not a protocol name as IDEA's Proto requires")
		}
	}
	if a := p.Application; a != "" {
		switch {
		case !IsProtocolName(a):
			c.lose("protocol.application", "is not a protocol name as IDEA's Proto requires")
		case p.Transport == "" && isTransport(a):
			c.lose("protocol.application", "names a transport protocol, so IDEA's Proto list gives it back as protocol.transport")
		default:
			out = append(out, a)
		}
	}
	return out
}

func (c *fromDHO) eventExtras() {
	for _, k := range eventOnly {
		f := fieldOf(c.m, k.key)
		c.extraField(k.extra, f, func() bool {
			p := probe()
			fieldOf(p, k.key).Set(f)
			return p.Validate() == nil
		})
	}
}
