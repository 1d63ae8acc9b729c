// Package githubfeed parses threat-intelligence feeds kept as JSON files
// in GitHub repositories, as IntelMQ's GitHub feed parser does. The feed
// is told by the report's feed.url; the one known feed is
// StrangerealIntel/DailyIOC, a JSON list of {"Indicator", "Description"}
// objects. It registers itself as "github-feed" and as IntelMQ's
// intelmq.bots.parsers.github_feed.parser; it has no parameters.
package githubfeed

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "github-feed"
	IntelMQModule = "intelmq.bots.parsers.github_feed.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the GitHub feed parser. It has no state.
type Parser struct{}

// dailyIOC is the part of feed.url that names the StrangerealIntel feed.
const dailyIOC = "StrangerealIntel/DailyIOC"

// Parse reads the report's raw data as JSON (with every single quote
// read as a double quote, as IntelMQ does) and makes one event per
// indicator. The report's extra.file_metadata members (set by the GitHub
// collector) go into every event as extra.file_metadata.NAME. An
// indicator that is no hash, domain name, IP address or URL fails.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(strings.ReplaceAll(jsonv.Text(report.Raw), "'", `"`))
	if err != nil {
		return err
	}
	base, err := parsers.NewEvent(report)
	if err != nil {
		return err
	}
	if md, ok := report.Get("extra.file_metadata"); ok {
		if v, isValue := md.(dho.Value); isValue {
			if m, isObject := v.Object(); isObject {
				for _, k := range slices.Sorted(maps.Keys(m)) {
					var x any = m[k]
					if s, isText := m[k].Str(); isText {
						x = s
					}
					if _, err := parsers.Add(base, "extra.file_metadata."+k, x, parsers.Refuse); err != nil {
						return err
					}
				}
			}
		}
	}
	feed := base.Feed.URL
	if !strings.Contains(feed, dailyIOC) {
		return fmt.Errorf("unknown feed %q", feed)
	}
	if doc.Kind != jsonv.Array {
		return fmt.Errorf("want a JSON list of indicators, got %s", doc.Kind)
	}
	for _, ioc := range doc.Elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := ioc.PyStr()
		ev, err := dailyIOCEvent(base, ioc, raw)
		if err != nil {
			fail(parsers.Failure{Raw: []byte(raw), Err: err})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

var (
	hashes = []struct {
		field string
		re    *regexp.Regexp
	}{
		{"malware.hash.sha1", regexp.MustCompile(`^(?i)[0-9a-f]{40}$`)},
		{"malware.hash.sha256", regexp.MustCompile(`^(?i)[0-9a-f]{64}$`)},
		{"malware.hash.md5", regexp.MustCompile(`^(?i)[0-9a-f]{32}$`)},
	}
	// domainName is the shape the validators package accepts as a domain.
	domainName = regexp.MustCompile(`^(?i)(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9_-]{0,61}[a-z]$`)
)

var errUnknownIndicator = errors.New("the indicator is no hash, domain name, IP address or URL")

func dailyIOCEvent(base *dho.Event, ioc jsonv.Value, raw string) (*dho.Event, error) {
	ev := base.Clone()
	ev.Raw = []byte(raw)
	for _, kv := range [][2]string{{"classification.type", "malware"}, {"classification.taxonomy", "other"}} {
		if _, err := parsers.Add(ev, kv[0], kv[1], parsers.Refuse); err != nil {
			return nil, err
		}
	}
	desc, err := ioc.Key("Description")
	if err != nil {
		return nil, err
	}
	if _, err := jsonv.Add(ev, "event_description.text", desc, parsers.Refuse); err != nil {
		return nil, err
	}
	ind, err := ioc.Key("Indicator")
	if err != nil {
		return nil, err
	}
	if ind.Kind != jsonv.String {
		return nil, fmt.Errorf("%w: the indicator is %s, not text", jsonv.ErrType, ind.Kind)
	}
	s := ind.S
	field := ""
	for _, h := range hashes {
		if h.re.MatchString(s) {
			field = h.field
			break
		}
	}
	switch {
	case field != "":
	case domainName.MatchString(s):
		field = "source.fqdn"
	case isIP(s):
		field = "source.ip"
	case isURL(s):
		field = "source.url"
	default:
		return nil, fmt.Errorf("%w: %q", errUnknownIndicator, s)
	}
	if _, err := parsers.Add(ev, field, s, parsers.Refuse); err != nil {
		return nil, err
	}
	return ev, nil
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// isURL accepts an absolute URL with a host and no white space.
func isURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "ftps", "sftp", "ssh", "rtsp", "rtmp", "irc", "ws", "wss":
		return true
	}
	return false
}
