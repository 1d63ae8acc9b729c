// Package calidog parses CertStream messages (Calidog's stream of
// certificates newly seen in Certificate Transparency logs, one JSON
// message per report) as IntelMQ's CertStream parser does. It registers
// itself as "calidog_certstream" and as IntelMQ's
// intelmq.bots.parsers.calidog.parser_certstream; it has no parameters.
//
// Every name of the leaf certificate (data.leaf_cert.all_domains) becomes
// an event: source.fqdn, or source.ip for a name that is an address; the
// time the certificate was seen is time.source, and raw is the whole
// message.
package calidog

import (
	"context"
	"fmt"
	"strconv"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "calidog_certstream"
	IntelMQModule = "intelmq.bots.parsers.calidog.parser_certstream"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the CertStream parser. It has no state.
type Parser struct{}

// Parse makes one event per name of the message's certificate. A message
// without data fails as a whole; a name that is neither a domain name nor
// an address goes to fail and the others go on.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	text := jsonv.Text(report.Raw)
	doc, err := jsonv.Parse(text)
	if err != nil {
		return err
	}
	data, err := doc.Key("data")
	if err != nil {
		return err
	}
	if data.Kind != jsonv.Object {
		return fmt.Errorf("data is a JSON %s, not an object", data.Kind)
	}
	leaf, ok := data.Get("leaf_cert")
	if !ok {
		return nil
	}
	domains, ok := leaf.Get("all_domains")
	if !ok {
		return nil
	}
	if domains.Kind != jsonv.Array {
		return fmt.Errorf("all_domains is a JSON %s, not a list", domains.Kind)
	}
	for _, d := range domains.Elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := event(report, data, d, text)
		if err != nil {
			fail(parsers.Failure{Raw: []byte(text), Err: fmt.Errorf("%s: %w", d.PyStr(), err)})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func event(report *dho.Report, data, domain jsonv.Value, raw string) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	seen, err := data.Key("seen")
	if err != nil {
		return nil, err
	}
	secs, err := seen.PyInt()
	if err != nil {
		return nil, fmt.Errorf("seen: %w", err)
	}
	// Seconds, or milliseconds, told by the number of digits; a number of
	// another length gives no time, as in IntelMQ.
	digits := strconv.FormatInt(secs, 10)
	switch len(digits) {
	case 10, 12, 13:
		t, err := sanitize.FromEpochMillis(digits)
		if err != nil {
			return nil, fmt.Errorf("seen: %w", err)
		}
		if _, err := parsers.Add(ev, "time.source", t, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	if _, err := parsers.Add(ev, "classification.type", "other", parsers.Refuse); err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	added, err := jsonv.TryAdd(ev, "source.fqdn", domain)
	if err == nil && !added {
		_, err = jsonv.Add(ev, "source.ip", domain, parsers.Refuse)
	}
	if err != nil {
		return nil, err
	}
	return ev, nil
}
