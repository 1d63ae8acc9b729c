// Package eset parses ESET's threat intelligence feeds (JSON lists from
// its TAXII service: the domain and URL feeds) as IntelMQ's ESET parser
// does; the report's extra.eset_feed names the feed. It registers itself
// as "eset" and as IntelMQ's intelmq.bots.parsers.eset.parser; it has no
// parameters.
package eset

import (
	"context"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "eset"
	IntelMQModule = "intelmq.bots.parsers.eset.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// The feeds (extra.eset_feed) the parser knows.
const (
	urlsFeed    = "ei.urls (json)"
	domainsFeed = "ei.domains v2 (json)"
)

// taxonomy maps ESET's reasons to classification types (the reasons as
// ESET writes them, so that they match).
var taxonomy = map[string]string{
	"Host actively distributes high-severity threat in the form of executable code.":  "malware-distribution",
	"Host is known to be distributing low-risk and potentially unwanted content.":     "malware-distribution",
	"Host is known source of phishing or other fraudulent content.":                   "phishing",
	"Host is known to be actively distributing adware or other medium-risk software.": "other",
	"Host is known source of active fraudulent content.":                              "other",
}

// Parser is the ESET parser. It has no state.
type Parser struct{}

// Parse makes one event per element of the JSON list; its raw is the
// element written as Python's json.dumps(sort_keys=True) writes it. The
// report fails as a whole when it is no JSON list; an element of an
// unknown feed, or one that lacks a member or holds values the fields
// refuse, goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	if doc.Kind != jsonv.Array {
		return fmt.Errorf("the report is a JSON %s, not a list", doc.Kind)
	}
	for i, el := range doc.Elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := event(report, el)
		if err != nil {
			fail(parsers.Failure{Raw: []byte(jsonv.List(el).JSON(jsonv.Options{})), Err: fmt.Errorf("element %d: %w", i+1, err)})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func classify(reason string) string {
	if t, ok := taxonomy[reason]; ok {
		return t
	}
	if strings.HasPrefix(reason, "Host is used as command and control server") {
		return "c2-server"
	}
	return "other"
}

func event(report *dho.Report, el jsonv.Value) (*dho.Event, error) {
	if el.Kind != jsonv.Object {
		return nil, fmt.Errorf("a JSON %s, not an object", el.Kind)
	}
	member := func(key string) (jsonv.Value, error) { return el.Key(key) }
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	ev.Raw = []byte(el.JSON(jsonv.Options{SortKeys: true}))
	reason, err := member("reason")
	if err != nil {
		return nil, err
	}
	if reason.Kind != jsonv.String {
		return nil, fmt.Errorf("reason is a JSON %s, not a text", reason.Kind)
	}
	if _, err := jsonv.Add(ev, "event_description.text", reason, parsers.Refuse); err != nil {
		return nil, err
	}
	if _, err := parsers.AddUnset(ev, "classification.type", classify(reason.S)); err != nil {
		return nil, err
	}
	domain, err := member("domain")
	if err != nil {
		return nil, err
	}
	if _, err := jsonv.TryAdd(ev, "source.fqdn", domain); err != nil { // addresses come as domains too
		return nil, err
	}
	ip, err := member("ip")
	if err != nil {
		return nil, err
	}
	if ip.Truthy() {
		if ip.Kind != jsonv.String {
			return nil, fmt.Errorf("ip is a JSON %s, not a text", ip.Kind)
		}
		if !strings.HasSuffix(ip.S, "_NXDOMAIN") {
			if _, err := jsonv.Add(ev, "source.ip", ip, parsers.Refuse); err != nil {
				return nil, err
			}
		}
	}
	feed, ok := report.Get("extra.eset_feed")
	if !ok {
		return nil, fmt.Errorf("the report has no extra.eset_feed")
	}
	if err := ev.Set("extra.eset_feed", feed); err != nil {
		return nil, err
	}
	name := ""
	if v, ok := feed.(dho.Value); ok {
		name, _ = v.Str()
	} else if s, ok := feed.(string); ok {
		name = s
	}
	var fields [][2]string
	switch name {
	case urlsFeed:
		fields = [][2]string{{"time.source", "domain_last_seen"}, {"source.url", "url"}}
	case domainsFeed:
		fields = [][2]string{{"time.source", "last_seen"}}
	default:
		return nil, fmt.Errorf("unsupported feed %q (extra.eset_feed)", name)
	}
	for _, f := range fields {
		v, err := member(f[1])
		if err != nil {
			return nil, err
		}
		if _, err := jsonv.Add(ev, f[0], v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	return ev, nil
}
