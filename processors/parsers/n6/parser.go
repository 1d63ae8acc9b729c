// Package n6 parses events of CERT Polska's n6 platform as its STOMP
// stream delivers them (one JSON object per report), as IntelMQ's n6 STOMP
// parser does. It registers itself as "n6" and as IntelMQ's
// intelmq.bots.parsers.n6.parser_n6stomp; it has no parameters.
//
// The n6 category gives the classification (a "bl-update" is a blacklist
// entry); times, ports, hashes, the domain name, URL and feed details are
// taken over; a malware name with characters beyond printable ASCII is
// kept in event_description.text and stripped of them in malware.name.
// Reports that contain "TEST MESSAGE" are skipped.
//
// IntelMQ's defect, kept for conformance: an n6 event with N addresses
// gives N+1 events, one per address (source.ip, source.asn,
// source.reverse_dns, source.geolocation.cc) and then one more without any
// address, because IntelMQ's loop sends the address-less event in its
// for-else branch, which runs whenever the loop does not break. An address
// that cannot be used goes to fail and the other addresses go on (IntelMQ
// stops there and sends the report to its error queue).
package n6

import (
	"context"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "n6"
	IntelMQModule = "intelmq.bots.parsers.n6.parser_n6stomp"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the n6 parser. It has no state.
type Parser struct{}

// class is the classification of an n6 category.
type class struct{ taxonomy, typ, identifier string }

// categories maps n6's categories to the classification IntelMQ gives them.
var categories = map[string]class{
	"amplifier":      {"vulnerable", "vulnerable-system", "amplifier"},
	"bots":           {"malicious-code", "infected-system", "malware-generic"},
	"backdoor":       {"intrusions", "system-compromise", "hacked server"},
	"cnc":            {"malicious-code", "c2-server", "c&c server"},
	"dns-query":      {"other", "other", "dns-query"},
	"dos-attacker":   {"availability", "ddos", "dos-attacker"},
	"dos-victim":     {"availability", "ddos", "dos-victim"},
	"flow":           {"other", "other", "flow"},
	"flow-anomaly":   {"other", "other", "flow-anomaly"},
	"fraud":          {"fraud", "account numbers", "fraud"},
	"leak":           {"information-content-security", "data-leak", "leak"},
	"malurl":         {"malicious-code", "exploit", "malurl"},
	"malware-action": {"malicious-code", "malware-configuration", "malware-configuration"},
	"phish":          {"fraud", "phishing", "phishing"},
	"proxy":          {"other", "proxy", "openproxy"},
	"sandbox-url":    {"malicious-code", "infected-system", "sandboxurl"},
	"scanning":       {"information-gathering", "scanner", "scanning"},
	"server-exploit": {"malicious-code", "exploit", "server-exploit"},
	"spam":           {"abusive-content", "spam", "spam"},
	"spam-url":       {"abusive-content", "spam", "spam-url"},
	"tor":            {"other", "tor", "tor exit node"},
	"webinject":      {"malicious-code", "malware-distribution", "malware"},
	"vulnerable":     {"vulnerable", "other", "vulnerable"},
	"other":          {"other", "other", "other"},
}

// simple are the n6 keys copied to a field as they are, in IntelMQ's order.
var simple = [...][2]string{
	{"time", "time.source"},
	{"dip", "destination.ip"},
	{"dport", "destination.port"},
	{"md5", "malware.hash.md5"},
	{"sha1", "malware.hash.sha1"},
}

// Parse makes the events of the report's n6 event; a report that cannot be
// read goes to fail as a whole.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	text := jsonv.Text(report.Raw)
	if strings.Contains(text, "TEST MESSAGE") {
		return nil
	}
	base, addrs, err := event(report, text)
	if err != nil {
		fail(parsers.Failure{Raw: report.Raw, Err: err})
		return nil
	}
	for i, a := range addrs {
		ev, err := addressEvent(base, a)
		if err != nil {
			fail(parsers.Failure{Raw: report.Raw, Err: fmt.Errorf("address %d: %w", i+1, err)})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return emit(base)
}

// event makes the event without addresses and returns the addresses.
func event(report *dho.Report, text string) (*dho.Event, []jsonv.Value, error) {
	doc, err := jsonv.Parse(text)
	if err != nil {
		return nil, nil, err
	}
	if doc.Kind != jsonv.Object {
		return nil, nil, fmt.Errorf("the report is a JSON %s, not an object", doc.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, nil, err
	}
	ev.Raw = append([]byte(nil), report.Raw...)
	add := func(name string, v jsonv.Value, ow parsers.Overwrite) {
		if err == nil {
			if _, err = jsonv.Add(ev, name, v, ow); err != nil {
				err = fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	for _, m := range simple {
		if v, ok := doc.Get(m[0]); ok {
			add(m[1], v, parsers.Refuse)
		}
	}
	if v, ok := doc.Get("fqdn"); ok && !v.EqualString("unknown") {
		add("source.fqdn", v, parsers.Refuse)
	}
	for _, m := range [...][2]string{
		{"id", "extra.feed_id"},
		{"adip", "extra.adip"},
		{"proto", "protocol.transport"},
		{"sport", "source.port"},
		{"url", "source.url"},
		{"confidence", "extra.confidence"},
	} {
		if v, ok := doc.Get(m[0]); ok {
			add(m[1], v, parsers.Refuse)
		}
	}
	if v, ok := doc.Get("expires"); ok {
		// A time IntelMQ cannot read is silently left out.
		var t jsonv.Value
		if v.Kind == jsonv.String {
			if tm, err := sanitize.FromFuzzy(v.S); err == nil {
				t = jsonv.Str(sanitize.FormatDateTime(tm))
			}
		}
		add("extra.expires", t, parsers.Refuse)
	}
	if v, ok := doc.Get("source"); ok {
		add("extra.feed_source", v, parsers.Refuse)
	}
	botsIdentifier := "malware-generic"
	if name, ok := doc.Get("name"); ok {
		botsIdentifier = name.PyStr()
		if err == nil {
			if _, nerr := jsonv.Add(ev, "malware.name", name, parsers.Refuse); nerr != nil {
				if !jsonv.IsInvalidValue(nerr) {
					err = nerr
				} else {
					add("malware.name", jsonv.Str(printableASCII(name.PyStr())), parsers.Refuse)
					add("event_description.text", name, parsers.Refuse)
				}
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	typ, err := doc.Key("type")
	if err != nil {
		return nil, nil, err
	}
	if typ.EqualString("bl-update") {
		add("classification.taxonomy", jsonv.Str("other"), parsers.Refuse)
		add("classification.type", jsonv.Str("blacklist"), parsers.Refuse)
	} else {
		cat, err := doc.Key("category")
		if err != nil {
			return nil, nil, err
		}
		if cat.Kind != jsonv.Null {
			c, ok := categories[cat.PyStr()]
			if !ok || cat.Kind != jsonv.String {
				return nil, nil, fmt.Errorf("unknown category %s", cat.PyStr())
			}
			if cat.S == "bots" {
				c.identifier = botsIdentifier
			}
			add("classification.taxonomy", jsonv.Str(c.taxonomy), parsers.Replace)
			add("classification.type", jsonv.Str(c.typ), parsers.Replace)
			add("classification.identifier", jsonv.Str(c.identifier), parsers.Replace)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	addrs, ok := doc.Get("address")
	if !ok {
		return ev, nil, nil
	}
	if addrs.Kind != jsonv.Array {
		return nil, nil, fmt.Errorf("address is a JSON %s, not a list", addrs.Kind)
	}
	return ev, addrs.Elems, nil
}

// addressEvent is a copy of base with the address a.
func addressEvent(base *dho.Event, a jsonv.Value) (*dho.Event, error) {
	ip, err := a.Key("ip")
	if err != nil {
		return nil, err
	}
	ev, err := jsonv.Clone(base)
	if err != nil {
		return nil, err
	}
	if _, err := jsonv.Add(ev, "source.ip", ip, parsers.Refuse); err != nil {
		return nil, err
	}
	for _, m := range [...][2]string{{"asn", "source.asn"}, {"rdns", "source.reverse_dns"}, {"cc", "source.geolocation.cc"}} {
		if v, ok := a.Get(m[0]); ok {
			if _, err := jsonv.Add(ev, m[1], v, parsers.Refuse); err != nil {
				return nil, err
			}
		}
	}
	return ev, nil
}

// printableASCII drops every character outside space to tilde.
func printableASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return -1
		}
		return r
	}, s)
}
