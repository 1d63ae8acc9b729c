// Package dataplane parses the feeds of DataPlane.org (sshpwauth, sipquery,
// dnsrd ...) as IntelMQ's Dataplane parser does. It registers itself as
// "dataplane" and as IntelMQ's intelmq.bots.parsers.dataplane.parser; it
// has no parameters.
//
// Each data line holds fields separated by a pipe with at least two spaces
// on either side: ASN, AS name, address, last seen time (UTC) and the
// feed's category; the proto41 feed adds a first seen time before the last
// seen one. The category decides the classification.
package dataplane

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
	Name          = "dataplane"
	IntelMQModule = "intelmq.bots.parsers.dataplane.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// category is what a feed category says about its addresses.
type category struct {
	classificationType, application, description string
}

// categories are DataPlane's feed categories, with the classification and
// the description IntelMQ gives their events (the same texts, so that
// events compare equal).
var categories = map[string]category{
	"dnsrd": {"scanner", "dns",
		"Address has been seen performing a DNS recursion desired query to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be DNS server cataloging or searching for hosts to use for DNS-based DDoS amplification."},
	"dnsrdany": {"scanner", "dns",
		"Address has been seen performing a DNS recursion desired IN ANY query to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be DNS server cataloging or searching for hosts to use for DNS-based DDoS amplification."},
	"dnsversion": {"scanner", "dns",
		"Address has been seen initiating a DNS CH TXT version.bind operation to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be DNS server cataloging or searching for vulnerable DNS servers."},
	"proto41": {"proxy", "6to4",
		"Address has been detected to offer open IPv6 over IPv4 tunneling. This could allow for the host to be used a public proxy against IPv6 hosts."},
	"sipquery": {"brute-force", "sip",
		"Address has been seen initiating a SIP OPTIONS query to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be SIP server cataloging or conducting various forms of telephony abuse."},
	"sipinvitation": {"brute-force", "sip",
		"Address has been seen initiating a SIP INVITE operation to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be SIP client cataloging or conducting various forms of telephony abuse."},
	"sipregistration": {"brute-force", "sip",
		"Address has been seen initiating a SIP REGISTER operation to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be SIP client cataloging or conducting various forms of telephony abuse."},
	"smtpdata": {"scanner", "smtp",
		"Address has been seen initiating a SMTP DATA operation to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be SMTP server cataloging or conducting various forms of email abuse."},
	"smtpgreet": {"scanner", "smtp",
		"Address has been seen initiating a SMTP HELO/EHLO operation to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be SMTP server cataloging or conducting various forms of email abuse."},
	"sshclient": {"scanner", "ssh",
		"Address has been seen initiating an SSH connection to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be SSH server cataloging or conducting authentication attack attempts."},
	"sshpwauth": {"brute-force", "ssh",
		"Address has been seen attempting to remotely login to a host using SSH password authentication. The source report lists hosts that are highly suspicious and are likely conducting malicious SSH password authentication attacks."},
	"telnetlogin": {"brute-force", "telnet",
		"Address has been seen initiating a telnet connection to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be telnet server cataloging or conducting authentication attack attempts."},
	"vncrfb": {"scanner", "vnc",
		"Address has been seen initiating a VNC remote buffer session to a remote host. The source report lists hosts that are suspicious of more than just port scanning. The host may be VNC/RFB server cataloging or conducting authentication attack attempts."},
}

// separator separates the fields of a line.
const separator = "  |  "

// Parser is the DataPlane parser. It has no state.
type Parser struct{}

// Parse parses one report: comment lines (starting with '#') and blank
// lines are skipped; a line that does not have the fields of its category,
// or whose category is unknown, goes to fail.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if line[0] == '#' {
			continue
		}
		ev, err := event(report, line)
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

func event(report *dho.Report, line string) (*dho.Event, error) {
	parts := strings.Split(line, separator)
	name := strings.TrimSpace(parts[len(parts)-1])
	want := 5 // ASN, AS name, address, last seen, category
	if name == "proto41" {
		want = 6 // ... and first seen before last seen
	}
	if len(parts) != want {
		return nil, fmt.Errorf("%d fields separated by %q, want %d", len(parts), separator, want)
	}
	cat, ok := categories[name]
	if !ok {
		return nil, fmt.Errorf("unknown DataPlane category %q", name)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	asn, asName, addr := parts[0], parts[1], parts[2]
	if asn == "NA" {
		asn = ""
	}
	if asName == "NA" {
		asName = ""
	} else if f := strings.Fields(asName); len(f) > 0 {
		asName = f[0] // the AS handle, without the organisation
	} else {
		return nil, fmt.Errorf("empty AS name")
	}
	set := []struct{ name, value string }{
		{"classification.type", cat.classificationType},
		{"protocol.application", cat.application},
		{"event_description.text", cat.description},
		{"source.asn", asn},
		{"source.as_name", asName},
		{"source.ip", addr},
		{"time.source", utcTime(parts[want-2])},
	}
	if want == 6 {
		set = append(set, struct{ name, value string }{"extra.first_seen", utcTime(parts[3])})
	}
	for _, f := range set {
		if _, err := parsers.Add(ev, f.name, f.value, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	ev.Raw = []byte(line)
	return ev, nil
}

// utcTime turns DataPlane's "2006-01-02 15:04:05" (UTC) into IntelMQ's
// form.
func utcTime(s string) string {
	return strings.Replace(s, " ", "T", 1) + "+00:00"
}
