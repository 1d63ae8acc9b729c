// Package zoneh parses Zone-H's CSV reports of defaced websites as
// IntelMQ's ZoneH parser does. It registers itself as "zoneh" and as
// IntelMQ's intelmq.bots.parsers.zoneh.parser. Its one parameter, feedname,
// is accepted and ignored: IntelMQ's feed configurations give it to this
// parser, which does not use it.
package zoneh

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "zoneh"
	IntelMQModule = "intelmq.bots.parsers.zoneh.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		p := parsers.NewParams(params)
		p.String("feedname", "")
		if err := p.Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// Parser is the Zone-H parser. It has no state.
type Parser struct{}

// Parse takes the first line as the header and makes one defacement event
// per row. Its raw is the header line and the row as they are in the
// input. A row that lacks a column the parser needs, or whose time or
// values are refused, goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	r := parsers.NewCSVReader(report.Raw, parsers.ExcelDialect)
	var header []string
	var headerLine string
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if header == nil && err == nil {
			header = append([]string(nil), rec.Fields...)
			headerLine = pytext.Strip(string(rec.Text))
			if len(header) == 0 {
				header = nil
			}
			continue
		}
		raw := []byte(headerLine + "\n" + string(rec.Text))
		if err != nil {
			fail(parsers.Failure{Line: rec.Line, Raw: raw, Err: err})
			continue
		}
		if len(rec.Fields) == 0 {
			continue // a blank line
		}
		ev, err := event(report, header, rec.Fields)
		if err != nil {
			fail(parsers.Failure{Line: rec.Line, Raw: raw, Err: err})
			continue
		}
		ev.Raw = raw
		if err := emit(ev); err != nil {
			return err
		}
	}
}

func event(report *dho.Report, header, fields []string) (*dho.Event, error) {
	if len(fields) > len(header) {
		return nil, fmt.Errorf("the row has %d fields, the header %d", len(fields), len(header))
	}
	row := make(map[string]string, len(fields))
	for i, f := range fields {
		row[header[i]] = f
	}
	col := func(name string) (string, error) {
		v, ok := row[name]
		if !ok {
			return "", fmt.Errorf("the row has no field %q", name)
		}
		return v, nil
	}
	domain, err := col("domain")
	if err != nil {
		return nil, err
	}
	added, err := col("add_date")
	if err != nil {
		return nil, err
	}
	scheme, netloc := splitURL(domain)
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"classification.identifier", "compromised-website"},
		{"classification.type", "unauthorised-information-modification"},
		{"event_description.text", "defacement"}, {"time.source", added + " UTC"}} {
		if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	// Values IntelMQ adds only when the field takes them.
	optional := [][2]string{{"source.ip", row["ip_address"]}, {"source.fqdn", netloc},
		{"source.geolocation.cc", row["country_code"]}}
	for _, f := range optional {
		_, _ = parsers.AddUnset(ev, f[0], f[1])
	}
	if _, err := parsers.AddUnset(ev, "protocol.application", scheme); err != nil {
		return nil, err
	}
	_, _ = parsers.AddUnset(ev, "source.url", domain)
	if v := row["accept_date"]; v != "" {
		if _, err := parsers.AddUnset(ev, "extra.accepted_date", v); err != nil {
			return nil, err
		}
	}
	for _, f := range [][2]string{{"extra.actor", "attacker"}, {"extra.http_target", "web_server"},
		{"extra.os.name", "system"}, {"extra.compromise_method", "hackmode"}, {"extra.zoneh_report_id", "defacement_id"}} {
		v, err := col(f[1])
		if err != nil {
			return nil, err
		}
		if _, err := parsers.AddUnset(ev, f[0], v); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// splitURL returns the scheme (in lower case) and the authority of s as
// Python's urlparse splits them.
func splitURL(s string) (scheme, netloc string) {
	if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) {
		scheme, s = strings.ToLower(s[:i]), s[i+1:]
	}
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		netloc = rest[:end]
	}
	return scheme, netloc
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
