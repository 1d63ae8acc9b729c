// Package dyn parses the ponmocup list published by DynDNS security
// research as IntelMQ's Dyn parser does: each line names a malware host
// (address or "/", domain, URL) and a web site whose server configuration
// redirects to it, which gives two events. It registers itself as "dyn"
// and as IntelMQ's intelmq.bots.parsers.dyn.parser; it has no parameters.
package dyn

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "dyn"
	IntelMQModule = "intelmq.bots.parsers.dyn.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// The descriptions IntelMQ gives the two events of a line (the same, so
// that events compare equal).
const (
	infectedText    = "has malicious code redirecting to malicious host"
	compromisedText = "host has been compromised and has malicious code infecting users"
)

// zones are the zone names the list's time is given in, which IntelMQ
// reads with these offsets.
var zones = map[string]string{"PST": "-0800", "PDT": "-0700"}

// Parser is the Dyn ponmocup parser. It has no state.
type Parser struct{}

// Parse reads the list's time from the "# last updated:" comment and makes
// two events per data line: the malware host distributing malware, and
// the web site compromised. A line with fewer than four fields, or values
// the fields refuse, goes to fail (with both its events); so does an
// update line whose time cannot be read, and the events after it have no
// time.source.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var updated *time.Time
	for n, row := range pytext.SplitLines(string(report.Raw)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if rest, ok := strings.CutPrefix(row, "# last updated:"); ok {
			t, err := readTime(rest)
			if err != nil {
				updated = nil
				fail(parsers.Failure{Line: n, Raw: []byte(row), Err: err})
				continue
			}
			updated = &t
			continue
		}
		if strings.HasPrefix(row, "#") || strings.TrimSpace(row) == "" {
			continue
		}
		evs, err := events(report, row, updated)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(row), Err: err})
			continue
		}
		for _, ev := range evs {
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// readTime reads "Tue Mar 15 00:47:49 PDT 2016", with the US Pacific zone
// names the list uses.
func readTime(s string) (time.Time, error) {
	words := strings.Fields(s)
	for i, w := range words {
		if off, ok := zones[w]; ok {
			words[i] = off
		}
	}
	return sanitize.DateTime(strings.Join(words, " "))
}

func events(report *dho.Report, row string, updated *time.Time) ([]*dho.Event, error) {
	f := strings.Fields(row)
	if len(f) < 4 {
		return nil, fmt.Errorf("%d fields, want 4 (address, domain, URL, infected domain)", len(f))
	}
	ip := f[0]
	if ip == "/" {
		ip = ""
	}
	var evs []*dho.Event
	for _, spec := range [][][2]string{
		{{"classification.type", "malware-distribution"}, {"source.ip", ip}, {"source.fqdn", f[1]},
			{"source.url", f[2]}, {"destination.fqdn", f[3]}, {"event_description.text", infectedText}},
		{{"classification.type", "system-compromise"}, {"destination.ip", ip}, {"destination.fqdn", f[1]},
			{"destination.url", f[2]}, {"source.fqdn", f[3]}, {"event_description.text", compromisedText}},
	} {
		ev, err := parsers.NewEvent(report)
		if err != nil {
			return nil, err
		}
		if updated != nil {
			if _, err := parsers.AddUnset(ev, "time.source", *updated); err != nil {
				return nil, err
			}
		}
		for _, kv := range spec {
			if _, err := parsers.AddUnset(ev, kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
		ev.Raw = []byte(row)
		evs = append(evs, ev)
	}
	return evs, nil
}
