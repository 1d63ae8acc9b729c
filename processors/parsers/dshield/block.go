package dshield

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// BlockName is the block list parser's name in our registry;
// BlockIntelMQModule is IntelMQ's.
const (
	BlockName          = "dshield_block"
	BlockIntelMQModule = "intelmq.bots.parsers.dshield.parser_block"
)

func init() { parsers.Register(BlockName, BlockIntelMQModule, noParams(Block{})) }

// Block parses DShield's recommended block list (block.txt): comments, one
// of which says when it was updated, a header line starting with "Start",
// and tab separated lines of network start, end, prefix length, attacks,
// network name, country and abuse contact. It has no state.
type Block struct{}

// errNoTime is the reason for a network line before any "updated" line.
var errNoTime = errors.New("no \"updated:\" comment line with the list's time before the line")

// Parse makes one blacklist event per network line; lines with fewer than
// three fields are skipped. A line whose values cannot be read goes to
// fail, and so does a network line before the list's time: IntelMQ cannot
// parse such a list either.
func (Block) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var updated *time.Time
	for n, row := range pytext.SplitLines(string(report.Raw)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		row = pytext.Strip(row)
		if row == "" || strings.HasPrefix(row, "#") || strings.HasPrefix(row, "Start") {
			if strings.Contains(row, "updated") {
				t, err := readUpdated(row)
				if err != nil {
					fail(parsers.Failure{Line: n, Raw: []byte(row), Err: err})
					continue
				}
				updated = &t
			}
			continue
		}
		v := strings.Split(row, "\t")
		if len(v) < 3 {
			continue
		}
		ev, err := blockEvent(report, v, updated)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(row), Err: err})
			continue
		}
		ev.Raw = []byte(row)
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// readUpdated reads the time after the first ": " of the line.
func readUpdated(row string) (time.Time, error) {
	i := strings.Index(row, ": ")
	s := row[i+2:]
	if i < 0 {
		s = row[1:]
	}
	return sanitize.DateTime(s)
}

func blockEvent(report *dho.Report, v []string, updated *time.Time) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if len(v) > 3 {
		attacks, err := pyInt(v[3])
		if err != nil {
			return nil, fmt.Errorf("attacks: %w", err)
		}
		if err := ev.Set("extra.attacks", attacks); err != nil {
			return nil, err
		}
	}
	if len(v) > 4 {
		if err := ev.Set("extra.network_name", v[4]); err != nil {
			return nil, err
		}
	}
	if len(v) > 5 {
		if _, err := parsers.AddUnset(ev, "source.geolocation.cc", v[5]); err != nil {
			return nil, err
		}
	}
	if len(v) > 6 {
		if _, err := parsers.AddUnset(ev, "source.abuse_contact", v[6]); err != nil {
			return nil, err
		}
	}
	if updated == nil {
		return nil, errNoTime
	}
	for _, f := range []struct {
		name  string
		value any
	}{{"time.source", *updated}, {"source.network", v[0] + "/" + v[2]}, {"classification.type", "blacklist"}} {
		if _, err := parsers.AddUnset(ev, f.name, f.value); err != nil {
			return nil, err
		}
	}
	return ev, nil
}
