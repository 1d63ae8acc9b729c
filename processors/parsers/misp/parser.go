// Package misp parses MISP events (one MISP event as JSON per report, as
// IntelMQ's MISP API collector fetches them) as IntelMQ's MISP parser
// does. It registers itself as "misp" and as IntelMQ's
// intelmq.bots.parsers.misp.parser; it has no parameters.
//
// Every attribute (of the event and of its objects) of the categories
// "Payload delivery", "Artifacts dropped", "Payload installation" and
// "Network activity" whose type names a field (domain, hostname, md5,
// sha1, ip-src, ip-dst, email-src, url) becomes an event, with the MISP
// event's and attribute's UUIDs, the link to the MISP event (made from the
// report's feed.url), the malware variant of a "Payload type" attribute
// and the classification of the event's ecsirt tag. raw is the attribute
// as IntelMQ re-serializes it (sorted keys).
//
// An attribute that cannot be read goes to fail and the others go on
// (IntelMQ stops there and sends the whole report to its error queue).
package misp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "misp"
	IntelMQModule = "intelmq.bots.parsers.misp.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the MISP parser. It has no state.
type Parser struct{}

// taxonomy maps MISP's ecsirt tags to classification types.
var taxonomy = map[string]string{
	`ecsirt:fraud="phishing"`:                        "phishing",
	`ecsirt:availability="ddos"`:                     "ddos",
	`ecsirt:abusive-content="spam"`:                  "spam",
	`ecsirt:information-gathering="scanner"`:         "scanner",
	`ecsirt:information-content-security="dropzone"`: "other",
	`ecsirt:malicious-code="malware"`:                "infected-system",
	`ecsirt:malicious-code="botnet-drone"`:           "infected-system",
	`ecsirt:malicious-code="ransomware"`:             "infected-system",
	`ecsirt:malicious-code="malware-configuration"`:  "malware-configuration",
	`ecsirt:malicious-code="c2server"`:               "c2-server",
	`ecsirt:intrusion-attempts="exploit"`:            "exploit",
	`ecsirt:intrusion-attempts="brute-force"`:        "brute-force",
	`ecsirt:intrusion-attempts="ids-alert"`:          "ids-alert",
	`ecsirt:intrusions="defacement"`:                 "unauthorised-information-modification",
	`ecsirt:intrusions="compromised"`:                "system-compromise",
	`ecsirt:intrusions="backdoor"`:                   "system-compromise",
	`ecsirt:vulnerable="vulnerable-service"`:         "vulnerable-system",
	`ecsirt:other="blacklist"`:                       "blacklist",
	`ecsirt:other="unknown"`:                         "undetermined",
	`ecsirt:test="test"`:                             "test",
}

// categories are the attribute categories that make events.
var categories = map[string]bool{
	"Payload delivery":     true,
	"Artifacts dropped":    true,
	"Payload installation": true,
	"Network activity":     true,
}

// types maps attribute types to fields.
var types = map[string]string{
	"domain":    "source.fqdn",
	"hostname":  "source.fqdn",
	"md5":       "malware.hash.md5",
	"sha1":      "malware.hash.sha1",
	"ip-src":    "source.ip",
	"ip-dst":    "source.ip",
	"email-src": "source.account",
	"url":       "source.url",
}

// Parse makes the events of the report's MISP event.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	m, err := read(report, doc)
	if err != nil {
		fail(parsers.Failure{Raw: report.Raw, Err: err})
		return nil
	}
	for i, attr := range m.attributes {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := m.event(report, attr)
		if err != nil {
			fail(parsers.Failure{Raw: jsonv.AppendJSON(nil, attr, jsonv.Options{SortKeys: true}), Err: fmt.Errorf("attribute %d: %w", i+1, err)})
			continue
		}
		if ev == nil {
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// mispEvent is what the events of one MISP event share.
type mispEvent struct {
	doc                      jsonv.Value
	attributes               []jsonv.Value
	classifier, identifier   jsonv.Value
	malwareVariant, eventURL jsonv.Value
}

func read(report *dho.Report, doc jsonv.Value) (*mispEvent, error) {
	if doc.Kind != jsonv.Object {
		return nil, fmt.Errorf("the MISP event is a JSON %s, not an object", doc.Kind)
	}
	m := &mispEvent{doc: doc}
	if tags, _ := doc.Get("Tag"); tags.Truthy() {
		if tags.Kind != jsonv.Array {
			return nil, fmt.Errorf("member Tag is a JSON %s, not a list", tags.Kind)
		}
		for _, tag := range tags.Elems {
			name, err := tag.Key("name")
			if err != nil {
				return nil, fmt.Errorf("member Tag: %w", err)
			}
			if name.EqualString("dropzone") {
				m.identifier = jsonv.Str("dropzone")
			}
			if c, ok := taxonomy[name.S]; ok && name.Kind == jsonv.String {
				m.classifier = jsonv.Str(c)
				break
			}
		}
	}
	attrs, err := doc.Key("Attribute")
	if err != nil {
		return nil, err
	}
	if attrs.Kind != jsonv.Array {
		return nil, fmt.Errorf("member Attribute is a JSON %s, not a list", attrs.Kind)
	}
	m.attributes = append(m.attributes, attrs.Elems...)
	if objs, ok := doc.Get("Object"); ok {
		if objs.Kind != jsonv.Array {
			return nil, fmt.Errorf("member Object is a JSON %s, not a list", objs.Kind)
		}
		for _, obj := range objs.Elems {
			a, err := obj.Key("Attribute")
			if err != nil {
				return nil, fmt.Errorf("member Object: %w", err)
			}
			if a.Kind != jsonv.Array {
				return nil, fmt.Errorf("member Object: Attribute is a JSON %s, not a list", a.Kind)
			}
			m.attributes = append(m.attributes, a.Elems...)
		}
	}
	for _, a := range m.attributes {
		cat, err := a.Key("category")
		if err != nil {
			return nil, fmt.Errorf("member Attribute: %w", err)
		}
		if cat.EqualString("Payload type") {
			v, err := a.Key("value")
			if err != nil {
				return nil, fmt.Errorf("member Attribute: %w", err)
			}
			if v.Kind != jsonv.String {
				return nil, fmt.Errorf("member Attribute: %w: the payload type is a JSON %s, not text", jsonv.ErrType, v.Kind)
			}
			m.malwareVariant = jsonv.Str(strings.ToLower(v.S))
		}
	}
	id, err := doc.Key("id")
	if err != nil {
		return nil, err
	}
	if report.Feed.URL == "" {
		return nil, errors.New("the report has no feed.url, which the link to the MISP event is made from")
	}
	base, err := url.Parse(report.Feed.URL)
	if err != nil {
		return nil, fmt.Errorf("feed.url: %w", err)
	}
	ref, err := url.Parse("events/view/" + id.PyStr())
	if err != nil {
		return nil, fmt.Errorf("id: %w", err)
	}
	m.eventURL = jsonv.Str(base.ResolveReference(ref).String())
	return m, nil
}

// event makes the event of one attribute, or nil for an attribute of a
// category or type that makes none.
func (m *mispEvent) event(report *dho.Report, attr jsonv.Value) (*dho.Event, error) {
	var f [6]jsonv.Value
	for i, k := range [...]string{"value", "uuid", "comment", "timestamp", "category", "type"} {
		v, err := attr.Key(k)
		if err != nil {
			return nil, err
		}
		f[i] = v
	}
	value, uuid, comment, timestamp, category, typ := f[0], f[1], f[2], f[3], f[4], f[5]
	field, ok := types[typ.S]
	if !categories[category.S] || category.Kind != jsonv.String || !ok || typ.Kind != jsonv.String {
		return nil, nil
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", jsonv.AppendJSON(nil, attr, jsonv.Options{SortKeys: true}), parsers.Refuse); err != nil {
		return nil, err
	}
	secs, err := timestamp.PyFloat()
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	t, err := sanitize.FromTimestampFloat(secs)
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	eventUUID, err := m.doc.Key("uuid")
	if err != nil {
		return nil, err
	}
	steps := []struct {
		name string
		v    jsonv.Value
	}{
		{field, value},
		{"misp.event_uuid", eventUUID},
		{"misp.attribute_uuid", uuid},
		{"comment", comment},
		{"event_description.text", category},
		{"event_description.url", m.eventURL},
	}
	for _, s := range steps {
		if _, err := jsonv.Add(ev, s.name, s.v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	// A variant that is no valid malware name is left out.
	if _, err := jsonv.Add(ev, "malware.name", m.malwareVariant, parsers.Refuse); err != nil && errors.Is(err, parsers.ErrKeyExists) {
		return nil, err
	}
	for _, s := range []struct {
		name string
		v    jsonv.Value
	}{
		{"classification.type", m.classifier},
		{"classification.identifier", m.identifier},
		{"time.source", jsonv.Str(sanitize.FormatDateTime(t))},
	} {
		if _, err := jsonv.Add(ev, s.name, s.v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	return ev, nil
}
