// Package abusech parses abuse.ch's Feodo Tracker botnet C2 list (JSON) as
// IntelMQ's Feodo Tracker parser does. It registers itself as
// "abusech_feodotracker" and as IntelMQ's
// intelmq.bots.parsers.abusech.parser_feodotracker; it has no parameters.
package abusech

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
	Name          = "abusech_feodotracker"
	IntelMQModule = "intelmq.bots.parsers.abusech.parser_feodotracker"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return FeodoTracker{}, nil
	})
}

// FeodoTracker is the Feodo Tracker parser. It has no state.
type FeodoTracker struct{}

// Parse makes one c2-server event per element of the JSON list. Its
// time.source is first_seen, or else midnight of last_online (a time that
// cannot be read is left out); its raw is the element as a list of one,
// written as Python's json.dumps writes it. The report fails as a whole
// when it is no JSON list; an element that is no object, or whose address
// or port the fields refuse, goes to fail.
func (FeodoTracker) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
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
	first, _ := el.Get("first_seen")
	last, _ := el.Get("last_online")
	switch {
	case first.Truthy():
		if first.Kind != jsonv.String {
			return nil, errors.New("first_seen is no text")
		}
		if t, err := sanitize.FromFormat(first.S, "%Y-%m-%d %H:%M:%S"); err == nil {
			_, _ = parsers.AddUnset(ev, "time.source", t)
		}
	case last.Truthy():
		if last.Kind != jsonv.String {
			return nil, errors.New("last_online is no text")
		}
		if t, err := sanitize.FromFormatMidnight(last.S, "%Y-%m-%d"); err == nil {
			_, _ = parsers.AddUnset(ev, "time.source", t)
		}
	}
	if _, err := parsers.AddUnset(ev, "classification.type", "c2-server"); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"source.ip", "ip_address"}, {"source.port", "port"}} {
		v, _ := el.Get(f[1])
		if _, err := jsonv.Add(ev, f[0], v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	for _, f := range [][2]string{{"source.asn", "as_number"}, {"source.as_name", "as_name"},
		{"source.geolocation.cc", "country"}, {"source.reverse_dns", "hostname"}, {"malware.name", "malware"},
		{"extra.last_online", "last_online"}, {"status", "status"}} {
		v, _ := el.Get(f[1])
		if _, err := jsonv.TryAdd(ev, f[0], v); err != nil {
			return nil, err
		}
	}
	return ev, nil
}
