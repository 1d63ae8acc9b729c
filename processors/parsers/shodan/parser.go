// Package shodan parses Shodan banners (one JSON object per report, as
// Shodan's stream API and IntelMQ's Shodan stream collector deliver them)
// as IntelMQ's Shodan parser does. It registers itself as "shodan" and as
// IntelMQ's intelmq.bots.parsers.shodan.parser.
//
// In the full mode every banner value the mapping knows goes to an event
// field (mostly extra.*): the source address, port, ASN, location, time,
// host and domain names (the first valid one), and the details of the
// service (http, ssh, ssl, isakmp, ldap ...); extra.shodan.unique_keys
// lists the banner's service keys, protocol.application names the service
// and extra.verified_vulns the verified vulnerabilities. In the minimal
// mode (minimal_mode) only the address, port, ASN, transport,
// organisation, data, title, tags, country and time are fields and the
// whole banner goes to extra.shodan.
//
// Where IntelMQ's result depends on Python's set order (a banner naming
// two service keys; a certificate with both C and O, which IntelMQ both
// maps to extra.ssl.cert.*.c) we choose one fixed answer: the service key
// first in sorted order, and O over C.
package shodan

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "shodan"
	IntelMQModule = "intelmq.bots.parsers.shodan.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
}

// Config configures a Parser.
type Config struct {
	// Minimal keeps only a few fields and puts the whole banner into
	// extra.shodan (IntelMQ's minimal_mode).
	Minimal bool
}

// Parser is the Shodan parser. It is safe for concurrent use.
type Parser struct {
	c Config
}

// New returns a parser configured by c.
func New(c Config) *Parser { return &Parser{c: c} }

// FromParams makes a parser from IntelMQ's parameters: minimal_mode, and
// ignore_errors, which IntelMQ accepts but does not use.
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	c := Config{Minimal: ps.Bool("minimal_mode", false)}
	ps.Bool("ignore_errors", true)
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return New(c), nil
}

// Parse makes one event of the report's banner; a report that is no JSON
// object, or whose values a field refuses, goes to fail as a whole.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	text := jsonv.Text(report.Raw)
	ev, err := p.event(report, text)
	if err != nil {
		fail(parsers.Failure{Raw: report.Raw, Err: err})
		return nil
	}
	return emit(ev)
}

func (p *Parser) event(report *dho.Report, text string) (*dho.Event, error) {
	banner, err := jsonv.Parse(text)
	if err != nil {
		return nil, err
	}
	if banner.Kind != jsonv.Object {
		return nil, fmt.Errorf("the banner is a JSON %s, not an object", banner.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", text, parsers.Refuse); err != nil {
		return nil, err
	}
	if p.c.Minimal {
		err = minimal(ev, banner)
	} else {
		err = full(ev, banner)
	}
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// minimal fills ev in minimal mode.
func minimal(ev *dho.Event, banner jsonv.Value) error {
	for _, m := range minimalMap {
		v, ok := banner.Get(m[1])
		if !ok || !v.Truthy() {
			continue
		}
		if _, err := jsonv.Add(ev, m[0], v, parsers.Refuse); err != nil && !errors.Is(err, dho.ErrUnknownField) {
			return err
		}
	}
	if loc, ok := banner.Get("location"); ok {
		if loc.Kind != jsonv.Object {
			return fmt.Errorf("location is a JSON %s, not an object", loc.Kind)
		}
		if cc, ok := loc.Get("country_code"); ok {
			if _, err := jsonv.Add(ev, "source.geolocation.cc", cc, parsers.Refuse); err != nil {
				return err
			}
		}
	}
	ts, err := banner.Key("timestamp")
	if err != nil {
		return err
	}
	if ts, err = utcTimestamp(ts); err != nil {
		return err
	}
	steps := []struct {
		name string
		v    jsonv.Value
	}{
		{"time.source", ts},
		{"extra.shodan", banner},
		{"classification.type", jsonv.Str("other")},
		{"classification.identifier", jsonv.Str("network-scan")},
	}
	for _, s := range steps {
		if _, err := jsonv.Add(ev, s.name, s.v, parsers.Refuse); err != nil {
			return err
		}
	}
	return nil
}

// full fills ev in the full mode.
func full(ev *dho.Event, banner jsonv.Value) error {
	var fields []mapped
	if err := applyMapping(&fields, tree, banner); err != nil {
		return err
	}
	// The mapped values replace what is there; a value that is invalid as
	// it stands is sanitized, and one that stays invalid fails the banner
	// (IntelMQ's Message.update).
	var vulns *jsonv.Value
	for _, f := range fields {
		if _, err := jsonv.Add(ev, f.field, f.v, parsers.Replace); err != nil {
			return err
		}
		if f.field == "extra.vulns" {
			vulns = &f.v
		}
	}
	var unique []string
	for _, k := range banner.Keys {
		if !commonKeys[k] {
			unique = append(unique, k)
		}
	}
	slices.Sort(unique)
	uniqueList := jsonv.List()
	var protocol string
	for _, k := range unique {
		uniqueList.Elems = append(uniqueList.Elems, jsonv.Str(k))
		if protocol == "" && protocols[k] {
			protocol = k
		}
	}
	adds := []struct {
		name string
		v    jsonv.Value
	}{
		{"classification.type", jsonv.Str("other")},
		{"classification.identifier", jsonv.Str("shodan-scan")},
		{"extra.shodan.unique_keys", uniqueList},
	}
	if protocol != "" {
		adds = append(adds, struct {
			name string
			v    jsonv.Value
		}{"protocol.application", jsonv.Str(protocol)})
	}
	if vulns != nil && vulns.Kind != jsonv.Null {
		verified, err := verifiedVulns(*vulns)
		if err != nil {
			return err
		}
		adds = append(adds, struct {
			name string
			v    jsonv.Value
		}{"extra.verified_vulns", verified})
	}
	for _, a := range adds {
		if _, err := jsonv.Add(ev, a.name, a.v, parsers.Refuse); err != nil {
			return err
		}
	}
	return nil
}

// verifiedVulns lists the identifiers of the verified vulnerabilities.
func verifiedVulns(vulns jsonv.Value) (jsonv.Value, error) {
	out := jsonv.List()
	if vulns.Kind != jsonv.Array {
		return out, fmt.Errorf("extra.vulns is a JSON %s, not a list", vulns.Kind)
	}
	for _, v := range vulns.Elems {
		verified, err := v.Key("verified")
		if err != nil {
			return out, fmt.Errorf("vulns: %w", err)
		}
		if !verified.Truthy() {
			continue
		}
		id, err := v.Key("identifier")
		if err != nil {
			return out, fmt.Errorf("vulns: %w", err)
		}
		out.Elems = append(out.Elems, id)
	}
	return out, nil
}

// mapped is one banner value bound for a field.
type mapped struct {
	field string
	v     jsonv.Value
}

// applyMapping collects the values of data that n maps, converted.
func applyMapping(out *[]mapped, n *node, data jsonv.Value) error {
	if data.Kind != jsonv.Object {
		return fmt.Errorf("a banner value is a JSON %s where an object is expected", data.Kind)
	}
	for _, k := range n.keys {
		v, ok := data.Get(k)
		if !ok || v.Kind == jsonv.Null {
			continue
		}
		c := n.children[k]
		if c.field == "" {
			if err := applyMapping(out, c, v); err != nil {
				return err
			}
			continue
		}
		if conv := conversions[c.path]; conv != nil {
			var err error
			if v, err = conv(v); errors.Is(err, errNoValue) {
				continue // the value is of no use: no field
			} else if err != nil {
				return fmt.Errorf("%s: %w", c.path, err)
			}
		}
		*out = append(*out, mapped{c.field, v})
	}
	return nil
}
