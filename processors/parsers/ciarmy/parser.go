// Package ciarmy parses the CI Army (CINS Score) list of bad addresses, one
// address a line, as IntelMQ's CI Army parser does. It registers itself
// as "ciarmy" and as IntelMQ's intelmq.bots.parsers.ci_army.parser; it has
// no parameters.
package ciarmy

import (
	"context"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "ciarmy"
	IntelMQModule = "intelmq.bots.parsers.ci_army.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the CI Army parser. It has no state.
type Parser struct{}

// Parse makes one blacklist event per address; lines starting with '#'
// and empty lines are skipped, a line that is no address goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	for n, line := range pytext.SplitLines(string(report.Raw)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ev, err := parsers.NewEvent(report)
		if err == nil {
			_, err = parsers.AddUnset(ev, "source.ip", line)
		}
		if err == nil {
			_, err = parsers.AddUnset(ev, "classification.type", "blacklist")
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
