// Package openphish parses OpenPhish's list of phishing URLs, one URL a
// line, as IntelMQ's OpenPhish parser does. It registers itself as
// "openphish" and as IntelMQ's intelmq.bots.parsers.openphish.parser; it
// has no parameters.
package openphish

import (
	"context"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "openphish"
	IntelMQModule = "intelmq.bots.parsers.openphish.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the OpenPhish parser. It has no state.
type Parser struct{}

// Parse makes one phishing event per URL; blank lines are skipped, a line
// that is no URL goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := parsers.NewEvent(report)
		if err == nil {
			_, err = parsers.AddUnset(ev, "source.url", line)
		}
		if err == nil {
			_, err = parsers.AddUnset(ev, "classification.type", "phishing")
		}
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(line), Err: err})
			continue
		}
		ev.Raw = []byte(line)
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}
