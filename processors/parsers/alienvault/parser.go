// Package alienvault parses AlienVault's IP reputation list, one address
// a line with "#"-separated fields (address, reliability, risk, types,
// country, city, coordinates, ...), as IntelMQ's AlienVault parser does. It
// registers itself as "alienvault" and as IntelMQ's
// intelmq.bots.parsers.alienvault.parser; it has no parameters.
package alienvault

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "alienvault"
	IntelMQModule = "intelmq.bots.parsers.alienvault.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// classifications map the list's types (in lower case) to classification
// types; other types are "undetermined".
var classifications = map[string]string{
	"c2server":             "c2-server",
	"scanning host":        "scanner",
	"malicious host":       "infected-system",
	"spamming":             "spam",
	"malware domain":       "malware-distribution",
	"malware ip":           "malware-distribution",
	"malware distribution": "malware-distribution",
}

// Parser is the AlienVault parser. It has no state.
type Parser struct{}

// Parse makes one event per type of each line (types are separated by
// ";"). A line with fewer than seven fields, without coordinates, or with
// values the fields refuse, goes to fail with all its events.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		evs, err := events(report, line)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(line), Err: err})
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

func events(report *dho.Report, line string) ([]*dho.Event, error) {
	v := strings.Split(line, "#")
	if len(v) < 7 {
		return nil, fmt.Errorf("%d fields separated by \"#\", want at least 7", len(v))
	}
	types := []string{v[3]}
	if strings.Index(pytext.Strip(v[3]), ";") > 0 {
		types = strings.Split(v[3], ";")
	}
	coords := strings.Split(pytext.Strip(v[6]), ",")
	if len(coords) != 2 || pytext.Strip(v[6]) == "" {
		return nil, errors.New("the line holds no coordinates (latitude,longitude)")
	}
	var evs []*dho.Event
	for _, typ := range types {
		ev, err := parsers.NewEvent(report)
		if err != nil {
			return nil, err
		}
		class, ok := classifications[strings.ToLower(typ)]
		if !ok {
			class = "undetermined"
		}
		for _, f := range [][2]string{{"classification.type", class}, {"source.ip", pytext.Strip(v[0])},
			{"source.geolocation.cc", pytext.Strip(v[4])}, {"source.geolocation.city", pytext.Strip(v[5])},
			{"source.geolocation.latitude", pytext.Strip(coords[0])}, {"source.geolocation.longitude", pytext.Strip(coords[1])}} {
			if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
				return nil, err
			}
		}
		ev.Raw = []byte(line)
		evs = append(evs, ev)
	}
	return evs, nil
}
