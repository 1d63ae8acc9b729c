// Package vxvault parses VX Vault's list of malware URLs as IntelMQ's
// VXVault parser does: a short header (the third line holds the time of
// the list) and then one URL a line. It registers itself as "vxvault" and
// as IntelMQ's intelmq.bots.parsers.vxvault.parser; it has no parameters.
package vxvault

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "vxvault"
	IntelMQModule = "intelmq.bots.parsers.vxvault.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// headerLines is the number of lines before the URLs: three header lines
// (the third is the list's time) and a blank one.
const headerLines = 4

// Parser is the VX Vault parser. It has no state.
type Parser struct{}

// Parse makes one malware-distribution event per line that starts with
// "http"; other lines are skipped. A line whose URL cannot be used goes to
// fail with the header lines before it, as IntelMQ recovers it.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var lines []string
	for _, l := range pytext.SplitLines(pytext.Strip(string(report.Raw))) {
		lines = append(lines, l)
	}
	header := lines[:min(3, len(lines))]
	for i := headerLines; i < len(lines); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := pytext.Strip(lines[i])
		if line == "" || !strings.HasPrefix(line, "http") {
			continue
		}
		ev, err := event(report, header, line)
		if err != nil {
			fail(parsers.Failure{Line: i + 1, Raw: []byte(strings.Join(append(header[:len(header):len(header)], line), "\n")), Err: err})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func event(report *dho.Report, header []string, line string) (*dho.Event, error) {
	u := parseURL(line)
	if len(header) < 3 {
		return nil, errors.New("the header holds no time (third line)")
	}
	port, err := u.port()
	if err != nil {
		return nil, err
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if ok, _ := parsers.AddUnset(ev, "source.ip", u.hostname()); !ok {
		if _, err := parsers.AddUnset(ev, "source.fqdn", u.hostname()); err != nil {
			return nil, err
		}
	}
	for _, f := range [][2]string{{"classification.type", "malware-distribution"}, {"source.url", u.String()}} {
		if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if port > 0 {
		if _, err := parsers.AddUnset(ev, "source.port", int64(port)); err != nil {
			return nil, err
		}
	}
	ev.Raw = []byte(line)
	if _, err := parsers.AddUnset(ev, "time.source", header[2]); err != nil {
		return nil, err
	}
	return ev, nil
}

// pyURL is a URL split as Python's urllib.parse.urlparse splits it.
type pyURL struct {
	scheme, netloc, path, query, fragment string
}

// parseURL splits s as urlparse does: an optional scheme (a letter, then
// letters, digits, "+", "-" or "."), an authority after "//", the path,
// query and fragment.
func parseURL(s string) pyURL {
	var u pyURL
	if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) {
		u.scheme, s = strings.ToLower(s[:i]), s[i+1:]
	}
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		u.netloc, s = rest[:end], rest[end:]
	}
	s, u.fragment, _ = strings.Cut(s, "#")
	u.path, u.query, _ = strings.Cut(s, "?")
	return u
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

// hostPort is the authority without user information.
func (u pyURL) hostPort() string {
	return u.netloc[strings.LastIndexByte(u.netloc, '@')+1:]
}

// hostname is urlparse's hostname: lower case, without brackets.
func (u pyURL) hostname() string {
	h := u.hostPort()
	if strings.HasPrefix(h, "[") {
		if end := strings.IndexByte(h, ']'); end > 0 {
			return strings.ToLower(h[1:end])
		}
		return strings.ToLower(h[1:])
	}
	h, _, _ = strings.Cut(h, ":")
	return strings.ToLower(h)
}

// port is urlparse's port: 0 for none, an error for one that is no number
// from 0 to 65535.
func (u pyURL) port() (int, error) {
	h := u.hostPort()
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return 0, nil
		}
		h = h[end+1:]
	}
	_, p, ok := strings.Cut(h, ":")
	if !ok || p == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || p[0] == '+' || p[0] == '-' || n > 65535 {
		return 0, errors.New("the URL's port " + strconv.Quote(p) + " is no number from 0 to 65535")
	}
	return n, nil
}

// String is urlparse's geturl: the parts put together again, without
// empty query and fragment markers.
func (u pyURL) String() string {
	var b strings.Builder
	if u.scheme != "" {
		b.WriteString(u.scheme)
		b.WriteByte(':')
	}
	if u.netloc != "" || u.scheme != "" && strings.HasPrefix(u.path, "//") {
		b.WriteString("//")
		b.WriteString(u.netloc)
	}
	b.WriteString(u.path)
	if u.query != "" {
		b.WriteByte('?')
		b.WriteString(u.query)
	}
	if u.fragment != "" {
		b.WriteByte('#')
		b.WriteString(u.fragment)
	}
	return b.String()
}
