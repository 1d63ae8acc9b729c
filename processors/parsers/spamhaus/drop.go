package spamhaus

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

// DropName is the DROP parser's name in our registry; DropIntelMQModule is
// IntelMQ's.
const (
	DropName          = "spamhaus_drop"
	DropIntelMQModule = "intelmq.bots.parsers.spamhaus.parser_drop"
)

func init() { parsers.Register(DropName, DropIntelMQModule, noParams(Drop{})) }

// The DROP lists by address: lists of networks and the list of AS numbers.
var (
	networkLists = map[string]bool{
		"https://www.spamhaus.org/drop/edrop.txt":  true,
		"https://www.spamhaus.org/drop/dropv6.txt": true,
		"https://www.spamhaus.org/drop/drop.txt":   true,
		"https://www.spamhaus.org/drop/drop.lasso": true,
	}
	asnLists = map[string]bool{"https://www.spamhaus.org/drop/asndrop.txt": true}
)

// Drop parses Spamhaus' DROP, EDROP, DROPv6 and ASN-DROP lists; the
// report's feed.url tells which. It has no state.
type Drop struct{}

// Parse reads the list's time from the "; Last-Modified:" comment and
// makes one spam event per entry: "NETWORK ; SBL-ID" for the network
// lists, "ASN ; CC | AS name" for the AS list. An entry that cannot be
// read, or of a list that is none of these, goes to fail.
func (Drop) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var modified *time.Time
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if line[0] == ';' {
			if strings.Contains(line, "Last-Modified:") {
				t, err := lastModified(line)
				if err != nil {
					fail(parsers.Failure{Line: n, Raw: []byte(line), Err: err})
					continue
				}
				modified = &t
			}
			continue
		}
		ev, err := dropEvent(report, line, modified)
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

// lastModified reads "; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT".
func lastModified(line string) (time.Time, error) {
	s := strings.Trim(line, "; ")
	if len(s) < 15 {
		return time.Time{}, fmt.Errorf("no time in %q", line)
	}
	return sanitize.DateTime(s[15:])
}

func dropEvent(report *dho.Report, line string, modified *time.Time) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if modified != nil {
		if _, err := parsers.AddUnset(ev, "time.source", *modified); err != nil {
			return nil, err
		}
	}
	if _, err := parsers.AddUnset(ev, "classification.type", "spam"); err != nil {
		return nil, err
	}
	url := report.Feed.URL
	switch {
	case networkLists[url]:
		v := strings.Split(pytext.Strip(line), ";")
		if len(v) < 2 {
			return nil, fmt.Errorf("%q holds no \";\" before the list ID", line)
		}
		if _, err := parsers.AddUnset(ev, "source.network", pytext.Strip(v[0])); err != nil {
			return nil, err
		}
		if err := ev.Set("extra.blocklist", pytext.Strip(v[1])); err != nil {
			return nil, err
		}
	case asnLists[url]:
		v := strings.Split(strings.ReplaceAll(line, "|", ";"), ";")
		if len(v) < 3 {
			return nil, fmt.Errorf("%q is not of the form \"ASN ; CC | name\"", line)
		}
		fields := [][2]string{{"source.asn", pytext.Strip(strings.Trim(v[0], "AS"))}, {"source.as_name", pytext.Strip(v[2])}}
		if v[1] != "" {
			fields = append(fields, [2]string{"source.geolocation.cc", pytext.Strip(v[1])})
		}
		for _, f := range fields {
			if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("unknown DROP list %q (feed.url)", url)
	}
	return ev, nil
}
