// Package cymru parses Team Cymru's feeds as IntelMQ's Cymru parsers do:
// the full bogons lists (unallocated and reserved IPv4 and IPv6
// networks), registered as "cymru-full-bogons" and as IntelMQ's
// intelmq.bots.parsers.cymru.parser_full_bogons, and the CAP program feed,
// registered as "cymru-cap-program" and as IntelMQ's
// intelmq.bots.parsers.cymru.parser_cap_program. Neither has parameters.
package cymru

import (
	"context"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "cymru-full-bogons"
	IntelMQModule = "intelmq.bots.parsers.cymru.parser_full_bogons"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return FullBogons{}, nil
	})
}

// FullBogons is the full bogons parser. It has no state.
type FullBogons struct{}

// Parse makes one blacklist event per network or address. The first line
// ("# last updated 1450193702 (Tue Dec 15 15:35:02 2015 GMT)") gives every
// event's time.source and begins every raw; the report fails as a whole
// when that time cannot be read.
func (FullBogons) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	data := pytext.Strip(string(report.Raw))
	if data == "" {
		return nil
	}
	first, _, _ := strings.Cut(data, "\n")
	open, end := strings.IndexByte(first, '('), strings.IndexByte(first, ')')
	if open < 0 || end < open {
		return fmt.Errorf("the first line %q holds no time in parentheses", first)
	}
	updated, err := sanitize.DateTime(first[open+1 : end])
	if err != nil {
		return fmt.Errorf("the first line's time: %w", err)
	}
	for n, line := range pytext.SplitLines(data) {
		if err := ctx.Err(); err != nil {
			return err
		}
		line = pytext.Strip(line)
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "//") {
			continue
		}
		ev, err := parsers.NewEvent(report)
		if err == nil {
			if ok, _ := parsers.AddUnset(ev, "source.ip", line); !ok {
				_, err = parsers.AddUnset(ev, "source.network", line)
			}
		}
		if err == nil {
			_, err = parsers.AddUnset(ev, "time.source", updated)
		}
		if err == nil {
			_, err = parsers.AddUnset(ev, "classification.type", "blacklist")
		}
		raw := first + "\n" + line
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(raw), Err: err})
			continue
		}
		ev.Raw = []byte(raw)
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}
