package spamhaus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// CERTName is the CERT parser's name in our registry; CERTIntelMQModule is
// IntelMQ's.
const (
	CERTName          = "spamhaus_cert"
	CERTIntelMQModule = "intelmq.bots.parsers.spamhaus.parser_cert"
)

func init() { parsers.Register(CERTName, CERTIntelMQModule, noParams(CERT{})) }

// CERT parses the Spamhaus CERT portal's list: comment lines (";") and
// comma separated lines of infected address, AS, country, last seen (Unix
// time), bot name, C&C domain, remote address, remote port, local port and
// protocol. It has no state.
type CERT struct{}

// kind is what IntelMQ says about the hosts of one bot name.
type kind struct {
	classification, identifier, application, description string
}

// kinds are the bot names with fixed texts (those IntelMQ gives, the same
// so that events compare equal). Names not here, and the ones handled in
// certEvent, are malware names of infected systems.
var kinds = map[string]kind{
	"openrelay":        {"vulnerable-system", "openrelay", "smtp", ""},
	"sshauth":          {"brute-force", "ssh", "ssh", ""},
	"telnetauth":       {"brute-force", "telnet", "telnet", ""},
	"smtpauth":         {"brute-force", "smtp", "smtp", ""},
	"wpscanner":        {"scanner", "wordpress-vulnerabilities", "http", "scanning for wordpress vulnerabilities"},
	"w_wplogin":        {"scanner", "wordpress-login", "http", "scanning for wordpress login pages"},
	"pop":              {"brute-force", "pop", "pop", ""},
	"imap":             {"brute-force", "imap", "imap", ""},
	"smb":              {"scanner", "smb", "smb", ""},
	"rdp":              {"scanner", "rdp", "rdp", ""},
	"iotrdp":           {"scanner", "rdp", "rdp", ""},
	"iotmicrosoftds":   {"scanner", "microsoftds", "microsoftds", ""},
	"proxyget":         {"other", "proxyget", "", "The malicious client used a honeypot as proxy."},
	"iotlogin":         {"system-compromise", "iot", "", "The infected iot device logged in to a honeypot."},
	"iotcmd":           {"system-compromise", "iot", "", "The infected iot device logged in to a honeypot and issued malicious commands."},
	"iotmirai":         {"infected-system", "mirai", "", ""},
	"ioturl":           {"c2-server", "malware-generic", "", ""},
	"automatedtest":    {"brute-force", "lookup-captcha", "", "The device automatically brute-forced the Spamhaus CBL lookup."},
	"authspoofbadehlo": {"brute-force", "authentication-spoof", "smtp", "The device spoofed SMTP authentication with a bad EHLO."},
	"iotscan":          {"scanner", "", "", "The possibly infected IoT device scanned for other vulnerable IoT devices."},
	"iotuser":          {"scanner", "", "", "The possibly infected IoT device scanned for other vulnerable IoT devices."},
	"l_spamlink":       {"spam", "spamlink", "", "The URL appeared in a spam email sent by extra.spam_ip."},
	"extortion":        {"spam", "extortion", "", "This device sent extortion mails."},
	"misc":             {"spam", "spam", "", "This device is sending spam as part of a botnet. See abuseat.org for more details."},
}

// abuseatLookup documents the "misc" entries.
const abuseatLookup = "https://www.abuseat.org/lookup.cgi"

// Parse makes one event per data line. Its raw is the comment lines before
// it and the line; feed.url loses the API key. A line with fewer than ten
// fields, or whose values cannot be read, goes to fail.
func (CERT) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var comments []string
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if line[0] == ';' {
			comments = append(comments, line)
			continue
		}
		raw := []byte(strings.Join(append(comments[:len(comments):len(comments)], line), "\n"))
		ev, err := certEvent(report, line)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: raw, Err: err})
			continue
		}
		ev.Raw = raw
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

type adder struct {
	ev  *dho.Event
	err error
}

// add is IntelMQ's add: a refused value fails the line.
func (a *adder) add(name string, v any) {
	if a.err == nil {
		_, a.err = parsers.AddUnset(a.ev, name, v)
	}
}

// try is IntelMQ's add with raise_failure=False: a refused value is left
// out. The list writes "?" for an unknown value: such a value is not added.
// (IntelMQ gets there by its fields refusing "?"; protocol.transport's
// check of the protocol names is not in DHO yet.)
func (a *adder) try(name string, v any) {
	if v == "?" {
		return
	}
	if a.err == nil && !a.ev.Has(name) {
		_, _ = parsers.AddUnset(a.ev, name, v)
	}
}

func certEvent(report *dho.Report, line string) (*dho.Event, error) {
	f := strings.Split(pytext.Strip(line), ",")
	if len(f) < 10 {
		return nil, fmt.Errorf("%d comma-separated fields, want 10", len(f))
	}
	for i := range f {
		f[i] = pytext.Strip(f[i])
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if ev.Feed.URL != "" {
		ev.Feed.URL, _, _ = strings.Cut(ev.Feed.URL, "key=")
	}
	a := &adder{ev: ev}
	a.add("source.ip", f[0])
	if asn := strings.ReplaceAll(f[1], "AS", ""); asn != "?" {
		a.add("source.asn", asn)
	}
	a.add("source.geolocation.cc", f[2])
	seen, err := pyInt(f[3])
	if err != nil {
		return nil, fmt.Errorf("last seen: %w", err)
	}
	t, err := sanitize.FromTimestamp(strconv.FormatInt(seen, 10))
	if err != nil {
		return nil, err
	}
	a.add("time.source", t)
	malware := strings.ToLower(f[4])
	if k, ok := kinds[malware]; ok {
		a.add("classification.type", k.classification)
		a.add("classification.identifier", k.identifier)
		a.add("protocol.application", k.application)
		a.add("event_description.text", k.description)
	}
	switch malware {
	case "iotscan", "iotuser":
		if f[7] == "23" || f[7] == "2323" {
			a.add("protocol.application", "telnet")
			a.add("classification.identifier", "telnet")
		} else {
			a.add("classification.identifier", "scanner-generic")
		}
	case "iotmirai":
		a.add("malware.name", "mirai")
	case "l_spamlink":
		parts := strings.Split(f[8], ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("local port field %q is not of the form ADDRESS:VERSION:NAME", f[8])
		}
		a.add("malware.name", parts[2])
		a.add("malware.version", parts[1])
		a.add("source.url", f[6])
		a.add("extra.spam_ip", parts[0])
	case "extortion", "misc":
		if f[7] == "25" {
			a.add("protocol.application", "smtp")
		}
		if malware == "misc" {
			a.add("event_description.url", abuseatLookup)
			if a.err == nil {
				_, a.err = parsers.Add(ev, "feed.documentation", abuseatLookup, parsers.Keep)
			}
		}
	case "iotrdp", "iotmicrosoftds":
		malware = malware[3:]
	default:
		if _, ok := kinds[malware]; !ok {
			if malware == "auto" {
				malware = "s_other"
			}
			a.add("malware.name", malware)
			a.add("classification.type", "infected-system")
			a.try("source.url", f[5])
		}
	}
	// The domain field holds an address or port for some bot names; the
	// provider says it is wrong for iotscan.
	if malware != "iotscan" && !strings.Contains(f[5], ":") {
		a.try("destination.fqdn", f[5])
	}
	a.try("destination.ip", f[6])
	a.try("destination.port", f[7])
	if f[8] != "" && f[8] != "-" && f[8] != "?" && malware != "l_spamlink" {
		port, err := pyInt(f[8])
		if err != nil {
			return nil, fmt.Errorf("local port: %w", err)
		}
		a.add("extra.source.local_port", port)
	}
	a.try("protocol.transport", f[9])
	if a.err != nil {
		return nil, a.err
	}
	if !ev.Has("classification.type") {
		return nil, errors.New("no classification")
	}
	return ev, nil
}
