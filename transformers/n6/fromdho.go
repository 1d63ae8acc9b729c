package n6

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
	"github.com/intelstream/intelstream/transformers"
)

// FromDHO converts a DHO event into an n6 event.
//
// What maps: id → id (the UUID's 32 hexadecimal digits; a new one when the
// event has none; the original n6 id kept in extra.n6.id); feed.code →
// source (when it is provider.channel, else "intelstream.dho"); tlp →
// restriction; feed.accuracy → confidence; classification → category;
// classification.identifier → name; time.source → time (else
// time.observation, else now); source.ip → address, each IPv4 address
// with source.geolocation.cc and source.asn; source.fqdn → fqdn;
// source.url → url; protocol.transport → proto; source.port → sport;
// destination.port → dport; destination.ip → dip; malware.hash.* →
// md5, sha1, sha256; event_description.target → target;
// event_description.text → long_description; and extra.n6.* back to their
// attributes.
//
// n6 is IPv4-only: every IPv6 address is reported lost, value by value, as
// is every value beyond the first of a field n6 holds once (fqdn, url,
// sport, dport, dip), every field n6 has no attribute for, and values n6
// cannot hold (a hash that is not hexadecimal, TLP GREEN, an accuracy that
// is not one of the confidence levels' values, a type without an n6
// category). With transformers.Strict any loss fails the conversion.
func FromDHO(e *dho.Event, opts ...transformers.Option) (*Event, transformers.Losses, error) {
	o := transformers.Apply(opts)
	c := &fromDHO{e: e, m: &Event{}}
	c.unmapped()
	c.id()
	c.source()
	c.restriction()
	c.confidence()
	c.category()
	c.times()
	c.name()
	c.address()
	c.m.FQDN = c.first("source.fqdn", e.Source.FQDN)
	c.m.URL = c.first("source.url", e.Source.URL)
	if t := e.Protocol.Transport; t != "" {
		if slices.Contains(Protos, t) {
			c.m.Proto = t
		} else {
			c.lose("protocol.transport", "n6's proto is tcp, udp or icmp")
		}
	}
	c.m.Sport = c.port("source.port", e.Source.Port)
	c.m.Dport = c.port("destination.port", e.Destination.Port)
	c.dip()
	c.m.MD5 = c.hash("malware.hash.md5", e.Malware.Hash.MD5, 32)
	c.m.SHA1 = c.hash("malware.hash.sha1", e.Malware.Hash.SHA1, 40)
	c.m.SHA256 = c.hash("malware.hash.sha256", e.Malware.Hash.SHA256, 64)
	if t := e.EventDescription.Target; t != "" {
		if len([]rune(t)) <= 100 {
			c.m.Target = t
		} else {
			c.lose("event_description.target", "is longer than n6's 100 characters")
		}
	}
	c.m.LongDescription = e.EventDescription.Text
	c.extras()
	if err := o.Finish("DHO", "n6", c.m.Validate(), c.losses); err != nil {
		return nil, c.losses, err
	}
	return c.m, c.losses, nil
}

// AppendJSON converts e into an n6 event (FromDHO) and appends it to dst as
// one line of JSON without the newline: the encoder of n6 outputs.
func AppendJSON(dst []byte, e *dho.Event, opts ...transformers.Option) ([]byte, transformers.Losses, error) {
	return transformers.Encode(dst, e, FromDHO, opts...)
}

type fromDHO struct {
	e      *dho.Event
	m      *Event
	losses transformers.Losses
}

func (c *fromDHO) lose(field, reason string) { c.losses.Add(field, reason) }

func (c *fromDHO) unmapped() {
	c.losses = append(c.losses, transformers.Unmapped(c.e, "n6", mappedFields, func(k string) bool { return strings.HasPrefix(k, extraPrefix) })...)
}

// extraString returns the string extra value k, reporting a value of
// another kind lost.
func (c *fromDHO) extraString(k string, ok func(string) bool) (string, bool) {
	v, has := c.e.Extra.Get(k)
	if !has {
		return "", false
	}
	if s, isStr := v.Str(); isStr && ok(s) {
		return s, true
	}
	c.lose("extra."+k, "is not a valid n6 value for its attribute")
	return "", false
}

func (c *fromDHO) id() {
	if orig, ok := c.extraString(extraID, func(s string) bool { return s != "" && len(s) <= 64 }); ok {
		c.m.ID = orig
		if c.e.ID != "" {
			c.lose("id", "the event keeps its original n6 id (extra.n6.id)")
		}
		return
	}
	id := c.e.ID
	if id == "" {
		id = dho.NewID()
	}
	c.m.ID = idOf(id)
}

func (c *fromDHO) source() {
	code := c.e.Feed.Code
	if reSource.MatchString(code) {
		c.m.Source = code
		return
	}
	if code != "" {
		c.lose("feed.code", "is not an n6 source name (provider.channel in lowercase letters, digits and '-')")
	}
	c.m.Source = DefaultSource
}

func (c *fromDHO) restriction() {
	tlp := c.e.TLP
	if tlp == "" {
		c.m.Restriction = DefaultRestriction
		return
	}
	c.m.Restriction = tlpRestriction[tlp]
	if restrictionTLP[c.m.Restriction] != tlp {
		c.lose("tlp", fmt.Sprintf("n6 has no restriction for TLP %s: %s reads back as %s", tlp, c.m.Restriction, restrictionTLP[c.m.Restriction]))
	}
}

func (c *fromDHO) confidence() {
	a := c.e.Feed.Accuracy
	if a == nil {
		c.m.Confidence = DefaultConfidence
		return
	}
	c.m.Confidence = accuracyConfidence(*a)
	if confidenceAccuracy[c.m.Confidence] != *a {
		c.lose("feed.accuracy", fmt.Sprintf("n6's confidence has three levels: %v becomes %s, which reads back as %v", *a, c.m.Confidence, confidenceAccuracy[c.m.Confidence]))
	}
}

func (c *fromDHO) category() {
	typ, tax := c.e.Classification.Type, c.e.Classification.Taxonomy
	cat, ok := typeCategory[typ]
	if !ok {
		cat = "other"
		if typ != "" {
			c.lose("classification.type", fmt.Sprintf("n6 has no category for %q; other reads back as type other", typ))
		}
	}
	if kept, ok := c.extraString(extraCategory, IsCategory); ok {
		if typ == "" || categoryType[kept] == typ {
			cat = kept
		} else {
			c.lose("extra."+extraCategory, "does not match the event's classification any more")
		}
	}
	c.m.Category = cat
	if back, _ := taxonomy.TaxonomyOf(categoryType[cat]); tax != "" && back != tax {
		c.lose("classification.taxonomy", fmt.Sprintf("n6 category %s reads back as taxonomy %q", cat, back))
	}
}

func (c *fromDHO) times() {
	t := c.e.Time
	switch {
	case t.Source != nil:
		c.m.Time = transformers.TimeOf(t.Source)
	case t.Observation != nil:
		c.m.Time = transformers.TimeOf(t.Observation)
	default:
		c.m.Time = &transformers.Time{Time: time.Now().UTC().Truncate(time.Microsecond)}
	}
}

func (c *fromDHO) name() {
	if id := c.e.Classification.Identifier; id != "" {
		if len([]rune(id)) <= 255 {
			c.m.Name = id
		} else {
			c.lose("classification.identifier", "is longer than n6's 255 characters")
		}
	}
}

func (c *fromDHO) address() {
	src := &c.e.Source
	cc := src.Geolocation.CC
	if cc != "" && !reCC.MatchString(cc) {
		c.lose("source.geolocation.cc", "is not a country code as n6 takes it")
		cc = ""
	}
	for _, ip := range src.IP {
		if !IsIPv4(ip) {
			c.losses.AddValue("source.ip", ip, "is not an IPv4 address; n6 is IPv4-only")
			continue
		}
		c.m.Address = append(c.m.Address, Address{IP: ip, CC: cc, ASN: src.ASN})
	}
	if len(c.m.Address) == 0 {
		if cc != "" {
			c.lose("source.geolocation.cc", "n6 keeps the country per IPv4 address, and the event has none")
		}
		if src.ASN != nil {
			c.lose("source.asn", "n6 keeps the AS number per IPv4 address, and the event has none")
		}
	}
}

// first returns the first value of a field n6 holds once and reports the
// others lost.
func (c *fromDHO) first(field string, vals []string) string {
	for _, v := range vals[min(1, len(vals)):] {
		c.losses.AddValue(field, v, "is a further value; n6 holds one")
	}
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

func (c *fromDHO) port(field string, ports []int64) *int64 {
	if len(ports) == 0 {
		return nil
	}
	for _, p := range ports[1:] {
		c.losses.AddValue(field, fmt.Sprint(p), "is a further port; n6 holds one")
	}
	p := ports[0]
	return &p
}

func (c *fromDHO) dip() {
	for _, ip := range c.e.Destination.IP {
		switch {
		case !IsIPv4(ip):
			c.losses.AddValue("destination.ip", ip, "is not an IPv4 address; n6 is IPv4-only")
		case c.m.Dip == "":
			c.m.Dip = ip
		default:
			c.losses.AddValue("destination.ip", ip, "is a further address; n6's dip holds one")
		}
	}
}

func (c *fromDHO) hash(field, v string, n int) string {
	if v == "" {
		return ""
	}
	if len(v) == n && reHex.MatchString(v) {
		return v
	}
	c.lose(field, fmt.Sprintf("is not %d lowercase hexadecimal digits as n6 requires", n))
	return ""
}

// probe is a minimal valid event that one attribute at a time is put into
// to validate it.
func probe() *Event {
	return &Event{ID: "probe", Source: "a.b", Restriction: "public", Confidence: "low", Category: "other",
		Time: &transformers.Time{Time: time.Unix(0, 0)}}
}

// extras writes the extra.n6.* values back to their attributes.
func (c *fromDHO) extras() {
	for _, k := range c.e.Extra.Keys() {
		key, ok := strings.CutPrefix(k, extraPrefix)
		if !ok || k == extraID || k == extraCategory {
			continue
		}
		v := c.e.Extra[k]
		i, typed := keys[key]
		switch {
		case mappedKeys[key]:
			c.lose("extra."+k, "n6's "+key+" comes from a DHO field of its own")
		case typed:
			f := reflect.ValueOf(c.m).Elem().Field(i)
			fresh := reflect.New(f.Type())
			p := probe()
			if transformers.DecodeValue(v, fresh.Interface()) == nil {
				reflect.ValueOf(p).Elem().Field(i).Set(fresh.Elem())
				if p.Validate() == nil {
					f.Set(fresh.Elem())
					continue
				}
			}
			c.lose("extra."+k, "is not a valid n6 value for its attribute")
		default:
			raw, err := v.MarshalJSON()
			if err != nil {
				c.lose("extra."+k, err.Error())
				continue
			}
			if c.m.Other == nil {
				c.m.Other = map[string]json.RawMessage{}
			}
			c.m.Other[key] = raw
		}
	}
}
