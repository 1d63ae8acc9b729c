// Package hibp parses the callbacks of Have I Been Pwned's enterprise
// domain search (one JSON object per report: a breach or a paste that holds
// addresses of a subscribed domain) as IntelMQ's HIBP callback parser does.
// It registers itself as "hibp_callback" and as IntelMQ's
// intelmq.bots.parsers.hibp.parser_callback; it has no parameters.
//
// Every affected address (Email and DomainEmails, without repeats, sorted)
// gets its own data-leak event with source.account, the domain in
// source.fqdn, and the breach or paste and the domain's addresses in
// extra; a breach's AddedDate is time.source. raw is the callback as
// IntelMQ re-serializes it (sorted keys).
package hibp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "hibp_callback"
	IntelMQModule = "intelmq.bots.parsers.hibp.parser_callback"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the HIBP callback parser. It has no state.
type Parser struct{}

// Parse makes the events of the report's callback; a callback that cannot
// be read goes to fail as a whole.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	raw := jsonv.AppendJSON(nil, doc, jsonv.Options{SortKeys: true})
	evs, err := events(report, doc, raw)
	if err != nil {
		fail(parsers.Failure{Raw: raw, Err: err})
		return nil
	}
	for _, ev := range evs {
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func events(report *dho.Report, doc jsonv.Value, raw []byte) ([]*dho.Event, error) {
	if doc.Kind != jsonv.Object {
		return nil, fmt.Errorf("the callback is a JSON %s, not an object", doc.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	add := func(name string, v jsonv.Value) error {
		_, err := jsonv.Add(ev, name, v, parsers.Refuse)
		return err
	}
	domain, err := doc.Key("Domain")
	if err != nil {
		return nil, err
	}
	if err := add("source.fqdn", domain); err != nil {
		return nil, err
	}
	emails, err := doc.Key("DomainEmails")
	if err != nil {
		return nil, err
	}
	if err := add("extra.domain_emails", emails); err != nil {
		return nil, err
	}
	if breach, ok := doc.Get("Breach"); ok {
		if err := add("extra.breach", breach); err != nil {
			return nil, err
		}
		if err := add("classification.identifier", jsonv.Str("breach")); err != nil {
			return nil, err
		}
		// A single breach has its time; the test callback lists several.
		if added, ok := breach.Get("AddedDate"); ok {
			if err := add("time.source", added); err != nil {
				return nil, err
			}
		}
	}
	if paste, ok := doc.Get("Paste"); ok {
		if err := add("extra.paste", paste); err != nil {
			return nil, err
		}
		if err := add("classification.identifier", jsonv.Str("paste")); err != nil {
			return nil, err
		}
	}
	if err := add("classification.taxonomy", jsonv.Str("information-content-security")); err != nil {
		return nil, err
	}
	if err := add("classification.type", jsonv.Str("data-leak")); err != nil {
		return nil, err
	}
	accounts, err := accounts(doc, emails)
	if err != nil {
		return nil, err
	}
	out := make([]*dho.Event, 0, len(accounts))
	for _, a := range accounts {
		if _, err := jsonv.Add(ev, "source.account", a, parsers.Replace); err != nil {
			return nil, err
		}
		c, err := jsonv.Clone(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// accounts returns Email and the DomainEmails, without empty values and
// repeats, sorted (Python's sorted(filter(bool, set(...)))).
func accounts(doc, emails jsonv.Value) ([]jsonv.Value, error) {
	if emails.Kind != jsonv.Array {
		return nil, fmt.Errorf("DomainEmails is a JSON %s, not a list", emails.Kind)
	}
	email, _ := doc.Get("Email")
	var out []jsonv.Value
	texts, numbers := 0, 0
	for _, v := range append([]jsonv.Value{email}, emails.Elems...) {
		switch {
		case v.Kind == jsonv.Array || v.Kind == jsonv.Object:
			return nil, fmt.Errorf("an address is a JSON %s, which Python cannot put in a set", v.Kind)
		case !v.Truthy() || slices.ContainsFunc(out, func(o jsonv.Value) bool { return jsonv.Equal(o, v) }):
			continue
		case v.Kind == jsonv.String:
			texts++
		default:
			numbers++
		}
		out = append(out, v)
	}
	if texts > 0 && numbers > 0 {
		return nil, fmt.Errorf("the addresses mix texts and numbers, which Python cannot sort")
	}
	slices.SortStableFunc(out, func(a, b jsonv.Value) int {
		if a.Kind == jsonv.String {
			return strings.Compare(a.S, b.S)
		}
		x, _ := a.PyFloat()
		y, _ := b.PyFloat()
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	return out, nil
}
