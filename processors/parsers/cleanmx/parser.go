// Package cleanmx parses Clean MX's XML feeds of phishing and virus
// (malware distribution) sites, as IntelMQ's CleanMX parser does. The
// feed is told by the report's feed.url ("xmlphishing" or "xmlviruses").
// It registers itself as "cleanmx" and as IntelMQ's
// intelmq.bots.parsers.cleanmx.parser; it has no parameters.
package cleanmx

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "cleanmx"
	IntelMQModule = "intelmq.bots.parsers.cleanmx.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the Clean MX parser. It has no state.
type Parser struct{}

// Where a member of an entry goes: a field, "extra" (extra.NAME), or
// nowhere ("").
const extra = "extra"

var phishing = map[string]string{
	"line": "", "id": extra, "first": "time.source", "firsttime": "", "last": "",
	"lasttime": "", "phishtank": extra, "target": "event_description.target",
	"url": "source.url", "recent": "status", "response": extra, "ip": "source.ip",
	"review": extra, "domain": "source.fqdn", "country": "source.geolocation.cc",
	"source": "source.registry", "email": "source.abuse_contact", "inetnum": extra,
	"netname": extra, "descr": extra, "ns1": extra, "ns2": extra, "ns3": extra,
	"ns4": extra, "ns5": extra,
}

var viruses = map[string]string{
	"line": "", "id": extra, "sub": extra, "first": "time.source", "firsttime": "",
	"last": "", "lasttime": "", "scanner": extra, "virusname": "malware.name",
	"url": "source.url", "recent": "status", "response": extra, "ip": "source.ip",
	"as": "source.asn", "review": extra, "domain": "source.fqdn",
	"country": "source.geolocation.cc", "source": extra, "email": "source.abuse_contact",
	"inetnum": extra, "netname": extra, "descr": extra, "ns1": extra, "ns2": extra,
	"ns3": extra, "ns4": extra, "ns5": extra, "md5": "malware.hash.md5",
	"virustotal": extra, "vt_score": extra, "vt_info": extra,
}

var (
	errCSV         = errors.New("the CSV format of the feed is not supported, the collector must fetch its XML format")
	errUnknownFeed = errors.New("unknown feed: feed.url names neither xmlphishing nor xmlviruses")
)

// Parse reads the XML document and makes one event per entry element.
// Its raw is the entry as Python's ElementTree writes it back (with the
// text that follows it), as IntelMQ keeps it. A document that is no XML,
// or a feed.url asking for CSV, fails as a whole; an entry with an unknown
// member or an invalid value fails alone.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	url := report.Feed.URL
	if strings.Contains(url, "format=csv") {
		return errCSV
	}
	root, err := parseXML(jsonv.Text(report.Raw))
	if err != nil {
		return fmt.Errorf("not XML: %w", err)
	}
	var mapping map[string]string
	ctype := ""
	switch {
	case strings.Contains(url, "xmlphishing"):
		mapping, ctype = phishing, "phishing"
	case strings.Contains(url, "xmlviruses"):
		mapping, ctype = viruses, "malware-distribution"
	}
	var entries []*element
	root.iter("entry", func(e *element) { entries = append(entries, e) })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := e.toString()
		if mapping == nil {
			fail(parsers.Failure{Raw: []byte(raw), Err: errUnknownFeed})
			continue
		}
		ev, err := entryEvent(report, e, mapping, ctype)
		if err != nil {
			fail(parsers.Failure{Raw: []byte(raw), Err: err})
			continue
		}
		ev.Raw = []byte(raw)
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// valid reports whether v is a valid value of field (IntelMQ's
// Message.is_valid, sanitizing).
func valid(field, v string) bool {
	ok, err := parsers.AddUnset(&dho.Event{}, field, v)
	return ok && err == nil
}

func entryEvent(report *dho.Report, e *element, mapping map[string]string, ctype string) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	type kv struct{ key, value string }
	var extras []kv
	for _, item := range e.children {
		value := item.text
		if value == "" || value == "undef" {
			continue
		}
		if item.name.Space != "" {
			return nil, fmt.Errorf("unknown member {%s}%s", item.name.Space, item.name.Local)
		}
		field, known := mapping[item.name.Local]
		if !known {
			return nil, fmt.Errorf("unknown member %q", item.name.Local)
		}
		switch field {
		case "":
			continue
		case "source.fqdn":
			if valid("source.ip", value) {
				continue
			}
		case "source.ip":
			if valid("source.fqdn", value) {
				continue
			}
		case "time.source":
			n, err := pyInt(value)
			if err != nil {
				return nil, fmt.Errorf("first: %w", err)
			}
			// Python's datetime holds the years 1 to 9999.
			if n < -62135596800 || n > 253402300799 {
				return nil, fmt.Errorf("first: timestamp %d out of range", n)
			}
			value = time.Unix(n, 0).UTC().Format("2006-01-02T15:04:05") + " UTC"
		case "source.asn":
			up := strings.ToUpper(value)
			if strings.HasPrefix(up, "ASNA") {
				continue
			}
			for _, asn := range strings.Split(up, ",") {
				if strings.HasPrefix(asn, "AS") {
					value = strings.Split(asn, "AS")[1]
					break
				}
			}
		case "status":
			switch value {
			case "down":
				value = "offline"
			case "up":
				value = "online"
			}
		case extra:
			found := false
			for i := range extras {
				if extras[i].key == item.name.Local {
					extras[i].value, found = value, true
				}
			}
			if !found {
				extras = append(extras, kv{item.name.Local, value})
			}
			continue
		}
		if _, err := parsers.Add(ev, field, value, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	for _, x := range extras {
		if _, err := parsers.Add(ev, "extra."+x.key, x.value, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	if _, err := parsers.Add(ev, "classification.type", ctype, parsers.Refuse); err != nil {
		return nil, err
	}
	return ev, nil
}

// pyInt is Python's int() of a decimal text.
func pyInt(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid literal for int(): %q", s)
	}
	return n, nil
}
