// Package blocklistde parses the address lists of blocklist.de, one
// address a line, as IntelMQ's Blocklist.de parser does: the list's file
// name (the last part of the report's feed.url: ssh.txt, mail.txt ...)
// decides the classification. It registers itself as "blocklistde" and as
// IntelMQ's intelmq.bots.parsers.blocklistde.parser; it has no parameters.
package blocklistde

import (
	"context"
	"net/url"
	"path"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "blocklistde"
	IntelMQModule = "intelmq.bots.parsers.blocklistde.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// list is what one of blocklist.de's lists says about its addresses.
type list struct {
	classificationType, application, description string
}

// lists are blocklist.de's lists by file name, with the texts IntelMQ
// gives their events (the same, so that events compare equal). Other
// lists are blacklists.
var lists = map[string]list{
	"all.txt":             {"blacklist", "", ""},
	"ssh.txt":             {"ids-alert", "ssh", "IP reported as having run attacks on the service SSH"},
	"mail.txt":            {"ids-alert", "smtp", "IP reported as having run attacks on the service Mail, Postfix"},
	"apache.txt":          {"ids-alert", "http", "IP reported as having run attacks on the service Apache, Apache-DDoS, RFI-Attacks"},
	"imap.txt":            {"ids-alert", "imap", "IP reported as having run attacks on the service IMAP, SASL, POP3"},
	"ftp.txt":             {"ids-alert", "ftp", "IP reported as having run attacks on the service FTP"},
	"sip.txt":             {"ids-alert", "sip", "IP reported as having run attacks on the service SIP, VOIP, Asterisk"},
	"bots.txt":            {"spam", "", "IP reported as having spammed on IRC, open forums, wikis or registration forms."},
	"strongips.txt":       {"blacklist", "", "IP reported as having run attacks in last 2 months"},
	"ircbot.txt":          {"infected-system", "irc", ""},
	"bruteforcelogin.txt": {"brute-force", "", "IP reported as having run attacks on Joomlas, Wordpress and other Web-Logins with Brute-Force Logins"},
}

// Parser is the blocklist.de parser. It has no state.
type Parser struct{}

// Parse makes one event per address; blank lines are skipped, a line that
// is no address goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	l, ok := lists[fileName(report.Feed.URL)]
	if !ok {
		l = list{classificationType: "blacklist"}
	}
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := parsers.NewEvent(report)
		for _, f := range [][2]string{{"source.ip", line}, {"classification.type", l.classificationType},
			{"protocol.application", l.application}, {"event_description.text", l.description}} {
			if err == nil {
				_, err = parsers.AddUnset(ev, f[0], f[1])
			}
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

// fileName is the last part of the URL's path.
func fileName(feedURL string) string {
	u, err := url.Parse(feedURL)
	if err != nil || u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return ""
	}
	return path.Base(u.Path)
}
