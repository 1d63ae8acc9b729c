// Package blueliv parses Blueliv's Crimeserver feed (a JSON list of
// malicious servers) as IntelMQ's Blueliv Crimeserver parser does. It
// registers itself as "blueliv_crimeserver" and as IntelMQ's
// intelmq.bots.parsers.blueliv.parser_crimeserver; it has no parameters.
//
// The server's type gives the classification (a Tor exit node is a proxy,
// and its "url", which holds the address, is left out when it is no URL);
// the URL, address, country and last sighting are fields, and the status,
// confidence and other times go to extra. raw is the item as IntelMQ
// re-serializes it (sorted keys). An item that cannot be read goes to fail
// and the others go on (IntelMQ stops there and sends the whole report to
// its error queue).
package blueliv

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "blueliv_crimeserver"
	IntelMQModule = "intelmq.bots.parsers.blueliv.parser_crimeserver"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the Crimeserver parser. It has no state.
type Parser struct{}

// types maps Crimeserver's types to classification types.
var types = map[string]string{
	"PHISHING":    "phishing",
	"MALWARE":     "malware-distribution",
	"EXPLOIT_KIT": "exploit",
	"BACKDOOR":    "system-compromise",
	"TOR_IP":      "proxy",
	"C_AND_C":     "c2-server",
}

// extras maps the item keys that go to extra.
var extras = [...][2]string{
	{"status", "status"},
	{"confidence", "confidence"},
	{"updatedAt", "time_updated"},
	{"firstSeenAt", "time_first_seen"},
}

// Parse makes one event per item; a report that is no JSON list fails as
// a whole.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	if doc.Kind != jsonv.Array {
		return fmt.Errorf("the report is a JSON %s, not a list", doc.Kind)
	}
	for i, item := range doc.Elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := jsonv.AppendJSON(nil, item, jsonv.Options{SortKeys: true})
		ev, err := event(report, item, raw)
		if err != nil {
			fail(parsers.Failure{Raw: raw, Err: fmt.Errorf("item %d: %w", i+1, err)})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func event(report *dho.Report, item jsonv.Value, raw []byte) (*dho.Event, error) {
	if item.Kind != jsonv.Object {
		return nil, fmt.Errorf("a JSON %s, not an object", item.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	add := func(name string, v jsonv.Value) error {
		_, err := jsonv.Add(ev, name, v, parsers.Refuse)
		return err
	}
	tor := false
	if typ, ok := item.Get("type"); ok {
		c, known := types[typ.S]
		if !known || typ.Kind != jsonv.String {
			return nil, fmt.Errorf("unknown type %s", typ.PyStr())
		}
		if err := add("classification.type", jsonv.Str(c)); err != nil {
			return nil, err
		}
		if typ.S == "TOR_IP" {
			tor = true
			if err := add("source.tor_node", jsonv.BoolValue(true)); err != nil {
				return nil, err
			}
		}
	}
	if u, ok := item.Get("url"); ok {
		// A Tor node's "url" is its address, which is no URL.
		if tor {
			_, err = jsonv.TryAdd(ev, "source.url", u)
		} else {
			err = add("source.url", u)
		}
		if err != nil {
			return nil, err
		}
	}
	if ip, ok := item.Get("ip"); ok {
		if err := add("source.ip", ip); err != nil {
			return nil, err
		}
	}
	if cc, ok := item.Get("country"); ok {
		if err := add("source.geolocation.cc", cc); err != nil {
			return nil, err
		}
	}
	if seen, ok := item.Get("lastSeenAt"); ok {
		// "2015-12-09T04:43:29+0000": the zone without its last four
		// characters, and "00:00" instead.
		if seen.Kind != jsonv.String {
			return nil, fmt.Errorf("lastSeenAt: %w: a JSON %s, not text", jsonv.ErrType, seen.Kind)
		}
		if err := add("time.source", jsonv.Str(dropLastRunes(seen.S, 4)+"00:00")); err != nil {
			return nil, err
		}
	}
	extra := jsonv.Value{Kind: jsonv.Object}
	for _, m := range extras {
		if v, ok := item.Get(m[0]); ok {
			extra.Set(m[1], v)
		}
	}
	if err := add("extra", extra); err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	return ev, nil
}

// dropLastRunes is Python's s[:-n].
func dropLastRunes(s string, n int) string {
	for ; n > 0 && s != ""; n-- {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
