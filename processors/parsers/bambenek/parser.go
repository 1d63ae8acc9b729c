// Package bambenek parses Bambenek Consulting's OSINT feeds (C2 IP and
// domain master lists, DGA domains) as IntelMQ's Bambenek parser does: the
// report's feed.url tells which feed it is. It registers itself as
// "bambenek" and as IntelMQ's intelmq.bots.parsers.bambenek.parser; it has
// no parameters.
package bambenek

import (
	"context"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "bambenek"
	IntelMQModule = "intelmq.bots.parsers.bambenek.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

type feedKind uint8

const (
	ipMasterList feedKind = iota + 1
	domainMasterList
	dgaFeed
)

// feeds are the addresses the feeds are published at (those IntelMQ
// knows).
var feeds = map[string]feedKind{
	"http://osint.bambenekconsulting.com/feeds/c2-ipmasterlist.txt":     ipMasterList,
	"https://osint.bambenekconsulting.com/feeds/c2-ipmasterlist.txt":    ipMasterList,
	"https://faf.bambenekconsulting.com/feeds/dga/c2-ipmasterlist.txt":  ipMasterList,
	"http://osint.bambenekconsulting.com/feeds/c2-dommasterlist.txt":    domainMasterList,
	"https://osint.bambenekconsulting.com/feeds/c2-dommasterlist.txt":   domainMasterList,
	"https://faf.bambenekconsulting.com/feeds/dga/c2-dommasterlist.txt": domainMasterList,
	"http://osint.bambenekconsulting.com/feeds/dga-feed.txt":            dgaFeed,
	"https://osint.bambenekconsulting.com/feeds/dga-feed.txt":           dgaFeed,
	"https://faf.bambenekconsulting.com/feeds/dga-feed.txt":             dgaFeed,
}

// malwareNames spell out the feeds' short malware names.
var malwareNames = map[string]string{
	"cl": "cryptolocker", "p2pgoz": "p2p goz", "ptgoz": "pt goz", "volatile": "volatile cedar",
}

// Parser is the Bambenek parser. It has no state.
type Parser struct{}

// Parse makes one event per data line (address or domain, description,
// time, documentation URL). It fails as a whole when feed.url is none of
// Bambenek's feeds; a line that cannot be read goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	kind := feeds[report.Feed.URL]
	if kind == 0 {
		return fmt.Errorf("unknown Bambenek feed %q (feed.url)", report.Feed.URL)
	}
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if line[0] == '#' {
			continue
		}
		ev, err := event(report, kind, line)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(line), Err: err})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func event(report *dho.Report, kind feedKind, line string) (*dho.Event, error) {
	v := strings.Split(line, ",")
	if len(v) < 4 {
		return nil, fmt.Errorf("%d comma-separated fields, want 4", len(v))
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	doc := v[len(v)-1]
	malware := doc[strings.LastIndexByte(doc, '/')+1:]
	malware, _, _ = strings.Cut(malware, ".")
	if long, ok := malwareNames[malware]; ok {
		malware = long
	}
	fields := [][2]string{{"event_description.text", v[1]}, {"event_description.url", v[3]}, {"malware.name", malware}}
	switch kind {
	case ipMasterList:
		fields = append(fields, [2]string{"source.ip", v[0]}, [2]string{"time.source", v[2] + " UTC"},
			[2]string{"classification.type", "c2-server"}, [2]string{"status", "online"})
	case domainMasterList:
		fields = append(fields, [2]string{"source.fqdn", v[0]}, [2]string{"time.source", v[2] + " UTC"},
			[2]string{"classification.type", "c2-server"}, [2]string{"status", "online"})
	case dgaFeed:
		fields = append(fields, [2]string{"source.fqdn", v[0]}, [2]string{"time.source", v[2] + " 00:00 UTC"},
			[2]string{"classification.type", "dga-domain"})
	}
	for _, f := range fields {
		if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	ev.Raw = []byte(line)
	return ev, nil
}
