// Package phishtank parses PhishTank's JSON list of verified, online
// phishing URLs as IntelMQ's PhishTank parser does. It registers itself as
// "phishtank" and as IntelMQ's intelmq.bots.parsers.phishtank.parser; it
// has no parameters.
package phishtank

import (
	"context"
	"errors"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "phishtank"
	IntelMQModule = "intelmq.bots.parsers.phishtank.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the PhishTank parser. It has no state.
type Parser struct{}

// Parse makes one phishing event per element of the JSON list, with the
// network details of the first entry of its details list. Its raw is the
// element as a list of one, written as Python's json.dumps writes it. The
// report fails as a whole when it is no JSON list; an element that is no
// object, or whose URL the field refuses, goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	return jsonv.ParseList(ctx, report, emit, fail, event)
}

func event(report *dho.Report, el jsonv.Value) (*dho.Event, error) {
	if el.Kind != jsonv.Object {
		return nil, fmt.Errorf("a JSON %s, not an object", el.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if v, _ := el.Get("submission_time"); v.Truthy() {
		if v.Kind != jsonv.String {
			return nil, errors.New("submission_time is no text")
		}
		if t, err := sanitize.DateTime(v.S); err == nil {
			_, _ = parsers.AddUnset(ev, "time.source", t)
		}
	}
	if _, err := parsers.AddUnset(ev, "classification.type", "phishing"); err != nil {
		return nil, err
	}
	try := func(name string, v jsonv.Value) error {
		_, err := jsonv.TryAdd(ev, name, v)
		return err
	}
	id, _ := el.Get("phish_id")
	if err := try("extra.phishtank.phish_id", id); err != nil {
		return nil, err
	}
	url, _ := el.Get("url")
	if _, err := jsonv.Add(ev, "source.url", url, parsers.Refuse); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"event_description.url", "phish_detail_url"}, {"event_description.target", "target"}} {
		v, _ := el.Get(f[1])
		if err := try(f[0], v); err != nil {
			return nil, err
		}
	}
	if err := try("status", jsonv.Str("online")); err != nil { // the list holds online sites only
		return nil, err
	}
	for _, f := range [][2]string{{"extra.phishtank.verified", "verified"}, {"extra.phishtank.verification_time", "verification_time"}} {
		v, _ := el.Get(f[1])
		if err := try(f[0], v); err != nil {
			return nil, err
		}
	}
	if details, _ := el.Get("details"); details.Kind == jsonv.Array && len(details.Elems) > 0 {
		d := details.Elems[0]
		if d.Kind != jsonv.Object {
			return nil, fmt.Errorf("details: the first entry is a JSON %s, not an object", d.Kind)
		}
		for _, f := range [][2]string{{"source.ip", "ip_address"}, {"source.network", "cidr_block"},
			{"source.asn", "announcing_network"}, {"source.geolocation.cc", "country"}} {
			v, _ := d.Get(f[1])
			if err := try(f[0], v); err != nil {
				return nil, err
			}
		}
	}
	return ev, nil
}
