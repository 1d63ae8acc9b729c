package n6

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
	"github.com/intelstream/intelstream/transformers"
)

// ToDHO converts an n6 event into ONE DHO event, whatever the number of
// its addresses: the addresses become the values of source.ip (DHO 2.0's
// multi-valued field), their country and AS number source.geolocation.cc
// and source.asn (IntelMQ's n6 parser instead emits one event per address
// and one more without any). It is the inverse of FromDHO: id (32
// hexadecimal digits) → id, else extra.n6.id; source → feed.code;
// restriction → tlp; confidence → feed.accuracy; category →
// classification (extra.n6.category keeps the category when its type
// gives back another one, e.g. dos-victim); time → time.source; name →
// classification.identifier; fqdn, url, proto, sport, dport, dip, md5,
// sha1, sha256, target, long_description to their fields; every other
// attribute (rid, origin, modified, client, expires, until, count, status,
// ...) keeps its JSON value in extra.n6.<attribute>.
//
// Reported lost: an address's country or AS number that differs from the
// first address's (DHO holds one per source), values DHO refuses, and
// attributes whose name cannot be an extra name. With transformers.Strict
// any loss fails the conversion.
func ToDHO(m *Event, opts ...transformers.Option) (*dho.Event, transformers.Losses, error) {
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	o := transformers.Apply(opts)
	c := &toDHO{m: m, Builder: transformers.NewBuilder()}
	if id := uuidOf(m.ID); id != "" {
		c.Set("id", "id", id)
	} else {
		c.Keep("id", extraID, m.ID)
	}
	c.Set("source", "feed.code", m.Source)
	c.Set("restriction", "tlp", restrictionTLP[m.Restriction])
	c.Set("confidence", "feed.accuracy", confidenceAccuracy[m.Confidence])
	typ := categoryType[m.Category]
	tax, _ := taxonomy.TaxonomyOf(typ)
	c.Set("category", "classification.type", typ)
	c.Set("category", "classification.taxonomy", tax)
	if typeCategory[typ] != m.Category {
		c.Keep("category", extraCategory, m.Category)
	}
	c.Set("time", "time.source", m.Time.Time)
	c.Set("name", "classification.identifier", m.Name)
	c.address()
	c.Set("fqdn", "source.fqdn", m.FQDN)
	c.Set("url", "source.url", m.URL)
	c.Set("proto", "protocol.transport", m.Proto)
	if m.Sport != nil {
		c.Set("sport", "source.port", *m.Sport)
	}
	if m.Dport != nil {
		c.Set("dport", "destination.port", *m.Dport)
	}
	c.Set("dip", "destination.ip", m.Dip)
	c.Set("md5", "malware.hash.md5", m.MD5)
	c.Set("sha1", "malware.hash.sha1", m.SHA1)
	c.Set("sha256", "malware.hash.sha256", m.SHA256)
	c.Set("target", "event_description.target", m.Target)
	c.Set("long_description", "event_description.text", m.LongDescription)
	v := reflect.ValueOf(m).Elem()
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		if f := v.Field(keys[key]); !mappedKeys[key] && !f.IsZero() {
			c.Keep(key, extraPrefix+key, f.Interface())
		}
	}
	for _, key := range sortedKeys(m.Other) {
		val, err := transformers.ValueOfJSON(m.Other[key])
		if err != nil {
			c.Losses.Add(key, "is not JSON")
			continue
		}
		c.Keep(key, extraPrefix+key, val)
	}
	if err := o.Check("n6", "DHO", c.Losses); err != nil {
		return nil, c.Losses, err
	}
	return c.Event, c.Losses, nil
}

// DecodeDHO reads one n6 event (Decode) and converts it into a DHO event
// (ToDHO): the decoder of n6 parsers.
func DecodeDHO(raw []byte, opts ...transformers.Option) (*dho.Event, transformers.Losses, error) {
	return transformers.Decode(raw, Decode, ToDHO, opts...)
}

type toDHO struct {
	m *Event
	transformers.Builder
}

func (c *toDHO) address() {
	for i, a := range c.m.Address {
		c.Add(fmt.Sprintf("address[%d].ip", i), "source.ip", a.IP)
		if a.CC != "" {
			c.Once(fmt.Sprintf("address[%d].cc", i), "source.geolocation.cc", a.CC)
		}
		if a.ASN != nil {
			c.Once(fmt.Sprintf("address[%d].asn", i), "source.asn", *a.ASN)
		}
	}
}
