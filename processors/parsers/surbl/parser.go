// Package surbl parses SURBL's domain lists in the zone-file form IntelMQ's
// SURBL parser reads: nine header lines, then blocks of a line starting
// with ":" (the lists the following domains are on, such as "[mw]" or
// "[ph]") and lines starting with "." (one domain each), and two trailing
// lines. It registers itself as "surbl" and as IntelMQ's
// intelmq.bots.parsers.surbl.parser; it has no parameters.
package surbl

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "surbl"
	IntelMQModule = "intelmq.bots.parsers.surbl.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// The lines IntelMQ skips at the start and at the end of the input.
const (
	skipHead = 9
	skipTail = 2
)

// Parser is the SURBL parser. It has no state.
type Parser struct{}

// Parse makes one event per domain line, classified by the list line
// before it: malware-distribution for the "mw" list, phishing for "ph",
// blacklist for others. A list line that cannot be read goes to fail, and
// so do the domain lines after it until the next list line.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var lines []string
	for _, l := range pytext.SplitLines(string(report.Raw)) {
		lines = append(lines, l)
	}
	if len(lines) <= skipHead+skipTail {
		return nil
	}
	classification := ""
	var listErr error = errors.New("no list line (starting with \":\") before the domain")
	for i := skipHead; i < len(lines)-skipTail; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := lines[i]
		if line == "" {
			continue
		}
		switch line[0] {
		case ':':
			classification, listErr = lists(line)
			if listErr != nil {
				fail(parsers.Failure{Line: i + 1, Raw: []byte(line), Err: listErr})
			}
		case '.':
			ev, err := event(report, line, classification, listErr)
			if err != nil {
				fail(parsers.Failure{Line: i + 1, Raw: []byte(line), Err: err})
				continue
			}
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// lists reads the list names of a list line: the third word from the end
// holds them in brackets, "[mw][abuse],".
func lists(line string) (string, error) {
	words := strings.Fields(line)
	if len(words) < 3 || len(words[len(words)-3]) < 3 {
		return "", errors.New("the list line names no lists")
	}
	w := words[len(words)-3]
	names := strings.Split(w[1:len(w)-2], "][")
	switch {
	case slices.Contains(names, "mw"):
		return "malware-distribution", nil
	case slices.Contains(names, "ph"):
		return "phishing", nil
	}
	return "blacklist", nil
}

func event(report *dho.Report, line, classification string, listErr error) (*dho.Event, error) {
	if listErr != nil {
		return nil, listErr
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"source.fqdn", line[1:]}, {"classification.type", classification}} {
		if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	ev.Raw = []byte(line)
	return ev, nil
}
