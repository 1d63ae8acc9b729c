package cymru

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// CAPName is the CAP program parser's name in our registry;
// CAPIntelMQModule is IntelMQ's.
const (
	CAPName          = "cymru-cap-program"
	CAPIntelMQModule = "intelmq.bots.parsers.cymru.parser_cap_program"
)

func init() {
	parsers.Register(CAPName, CAPIntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return CAPProgram{}, nil
	})
}

// CAPProgram parses Team Cymru's CAP program feed: lines of
// "category|address|asn|timestamp|notes|asn name" after comment lines. A
// comment line holding "Data file written at" selects the old format
// (space-separated notes), one holding "generated on" the new one
// (semicolon-separated "key: value" notes, the AS name ending in the
// country code). Lines before either comment fail. Every event's raw is
// the comment lines seen so far and the line, joined by LF. It has no
// state.
type CAPProgram struct{}

type capFormat uint8

const (
	capUnknown capFormat = iota
	capOld
	capNew
)

var (
	errCAPNoFormat = errors.New("no comment line has told the format yet")
	errCAPFields   = errors.New("want 6 fields separated by |")
)

// Parse implements parsers.Parser.
func (CAPProgram) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	var comments []string
	format := capUnknown
	for n, line := range pytext.SplitLines(string(report.Raw)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		line = pytext.Strip(line)
		if strings.HasPrefix(line, "#") {
			comments = append(comments, line)
			if strings.Contains(line, "generated on") {
				format = capNew
			} else if strings.Contains(line, "Data file written at") {
				format = capOld
			}
			continue
		}
		if line == "" {
			continue
		}
		raw := strings.Join(append(comments[:len(comments):len(comments)], line), "\n")
		var events []*dho.Event
		var err error
		switch format {
		case capOld:
			events, err = capParseOld(report, line, raw)
		case capNew:
			events, err = capParseNew(report, line, raw)
		default:
			err = errCAPNoFormat
		}
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(raw), Err: err})
			continue
		}
		for _, ev := range events {
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// capEvent collects the first error of a run of additions.
type capEvent struct {
	ev  *dho.Event
	err error
}

func (c *capEvent) add(name string, v any) {
	if c.err == nil {
		_, c.err = parsers.Add(c.ev, name, v, parsers.Refuse)
	}
}

func (c *capEvent) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// pyInt is Python's int() of a text, for the plain decimal forms feeds use.
func pyInt(s string) (int64, error) {
	n, err := strconv.ParseInt(pytext.Strip(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid literal for int(): %q", s)
	}
	return n, nil
}

func capCommon(report *dho.Report, fields []string, raw string) (*capEvent, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	c := &capEvent{ev: ev}
	ev.Raw = []byte(raw)
	c.add("source.ip", fields[1])
	if fields[2] != "0" {
		c.add("source.asn", fields[2])
	}
	c.add("time.source", fields[3]+" GMT")
	return c, nil
}

// capParseOld parses a line of the old format.
func capParseOld(report *dho.Report, line, raw string) ([]*dho.Event, error) {
	f := strings.Split(line, "|")
	if len(f) != 6 {
		return nil, errCAPFields
	}
	category, comments := f[0], f[4]
	words := strings.Split(comments, " ")
	c, err := capCommon(report, f, raw)
	if err != nil {
		return nil, err
	}
	c.add("source.as_name", f[5])
	switch category {
	case "beagle":
		c.add("classification.type", "infected-system")
		c.add("classification.identifier", "beagle")
		c.add("malware.name", "beagle")
		if comments != "" {
			c.fail(fmt.Errorf("cannot parse the comment of category %q", category))
		}
	case "blaster", "dameware", "dipnet", "mydoom", "nachi", "phatbot", "sinit", "slammer":
		c.add("classification.type", "infected-system")
		c.add("classification.identifier", category)
		c.add("malware.name", category)
	case "bots":
		c.add("classification.type", "infected-system")
		capBotOld(c, words)
	case "bruteforce":
		c.add("classification.type", "brute-force")
		c.add("classification.identifier", comments)
		c.add("protocol.application", comments)
	case "defacement":
		c.add("classification.type", "unauthorised-information-modification")
		c.add("classification.identifier", category)
		c.add("source.url", words[0])
		if len(words) < 2 {
			c.fail(errors.New("defacement: no zone-h id in the comment"))
		} else {
			c.add("extra.zoneh.id", words[1])
		}
	case "fastflux":
		c.add("classification.type", "system-compromise")
		c.add("classification.identifier", category)
		c.add("source.reverse_dns", comments)
	case "malwareurl":
		c.add("source.url", words[0])
		c.add("classification.type", "malware-distribution")
		c.add("classification.identifier", "malwareurl")
	case "openresolvers":
		c.add("classification.type", "vulnerable-system")
		c.add("classification.identifier", "dns-open-resolver")
		c.add("protocol.application", "dns")
	case "phishing":
		c.add("classification.type", "phishing")
		c.add("classification.identifier", "phishing")
		c.add("source.url", comments)
	case "proxy":
		c.add("classification.type", "proxy")
		c.add("classification.identifier", "openproxy")
		c.add("extra.request", comments)
	case "routers":
		c.add("classification.type", "system-compromise")
		c.add("classification.identifier", comments)
	case "scanners":
		c.add("classification.type", "scanner")
		c.add("classification.identifier", "scanner")
		if port, err := pyInt(comments); err != nil {
			c.fail(fmt.Errorf("cannot parse the ports %q of category %q", comments, category))
		} else {
			c.add("source.port", port)
		}
	case "spam":
		c.add("classification.type", "spam")
		c.add("classification.identifier", "spam")
		if comments != "" {
			c.fail(fmt.Errorf("cannot parse the comment of category %q", category))
		}
	case "stormworm":
		capStormworm(c, words)
	case "toxbot":
		c.add("classification.type", "infected-system")
		c.add("classification.identifier", category)
		c.add("malware.name", category)
		if len(words) < 2 {
			c.fail(errors.New("toxbot: no source port in the comment"))
		} else if port, err := pyInt(words[1]); err != nil {
			c.fail(err)
		} else {
			c.add("extra.source_port", port)
		}
	default:
		// IntelMQ knows "ddosreport" and "spreaders" too but cannot parse
		// them (the first is not implemented, the second fails on a bug).
		c.fail(fmt.Errorf("unknown or unsupported category %q", category))
	}
	if c.err != nil {
		return nil, c.err
	}
	return []*dho.Event{c.ev}, nil
}

// capBotOld reads the old notes of a bot: "[srcport PORT] [mwtype TYPE
// WORDS] [destaddr IP] [description words]".
func capBotOld(c *capEvent, words []string) {
	type kv struct{ key, value string }
	var results []kv
	key := ""
	var value, description []string
	flush := func() {
		if key != "" && len(value) > 0 {
			v := strings.Join(value, " ")
			for i := range results {
				if results[i].key == key {
					results[i].value = v
					return
				}
			}
			results = append(results, kv{key, v})
		}
	}
	for _, w := range append(words, "\x00") {
		switch w {
		case "srcport", "mwtype", "destaddr", "dstaddr", "\x00":
			flush()
			key, value = w, value[:0]
		default:
			if key == "destaddr" && len(value) == 1 {
				description = append(description, w)
			} else {
				value = append(value, w)
			}
		}
	}
	for _, r := range results {
		switch r.key {
		case "srcport":
			if n, err := pyInt(r.value); err != nil {
				c.fail(err)
			} else {
				c.add("extra.source_port", n)
			}
		case "mwtype":
			c.add("classification.identifier", strings.ToLower(r.value))
			c.add("malware.name", strings.ToLower(r.value))
		default:
			c.add("destination.ip", r.value)
		}
	}
	if len(description) > 0 {
		c.add("event_description.text", strings.Join(description, " "))
	}
}

// capStormworm reads "confidence:N [legacy|crypto] [srcport PORT]".
func capStormworm(c *capEvent, words []string) {
	for i, w := range words {
		switch {
		case strings.HasPrefix(w, "confidence:"):
			// IntelMQ sets feed.accuracy (100 when unset) and then sets it
			// again, scaled, which its Message refuses: such lines fail.
			// The cutset is the characters of "confidence:", as Python's
			// lstrip takes them.
			if _, err := pyInt(strings.TrimLeft(w, "confide:")); err != nil {
				c.fail(err)
				return
			}
			c.fail(fmt.Errorf("stormworm confidence: %w: feed.accuracy", parsers.ErrKeyExists))
			return
		case w == "legacy" || w == "crypto":
			c.add("malware.version", w)
		case w == "srcport":
			if i+1 >= len(words) {
				c.fail(errors.New("stormworm: srcport without a port"))
				return
			}
			n, err := pyInt(words[i+1])
			if err != nil {
				c.fail(err)
				return
			}
			c.add("extra.source_port", n)
			return
		}
	}
}

var capStatic = map[string][][2]string{
	"bot":           {{"classification.type", "infected-system"}},
	"bruteforce":    {{"classification.type", "brute-force"}},
	"controller":    {{"classification.type", "c2-server"}},
	"darknet":       {{"classification.type", "scanner"}, {"classification.identifier", "darknet"}},
	"phishing":      {{"classification.type", "phishing"}, {"classification.identifier", "phishing"}},
	"proxy":         {{"classification.type", "proxy"}, {"classification.identifier", "openproxy"}},
	"honeypot":      {{"classification.type", "scanner"}},
	"openresolvers": {{"classification.type", "vulnerable-system"}, {"classification.identifier", "dns-open-resolver"}, {"protocol.application", "dns"}},
	"openresolver":  {{"classification.type", "vulnerable-system"}, {"classification.identifier", "dns-open-resolver"}, {"protocol.application", "dns"}},
	"scanner":       {{"classification.type", "scanner"}, {"classification.identifier", "scanner"}},
	"spam":          {{"classification.type", "spam"}, {"classification.identifier", "spam"}},
	"conficker":     {{"classification.type", "infected-system"}, {"classification.identifier", "conficker"}, {"malware.name", "conficker"}},
}

var capProtocols = map[string]string{
	"1": "icmp", "6": "tcp", "11": "nvp-ii", "17": "udp", "47": "gre", "59": "ipv6-nonxt",
}

var (
	capBogusHostPort = regexp.MustCompile(`hostname: ([^:]+)port: ([0-9]+)`)
	capPortsTotal    = regexp.MustCompile(` \(total_count:\d+\)$`)
)

// capParseNew parses a line of the new format; a line naming several
// destination ports gives one event per port.
func capParseNew(report *dho.Report, line, raw string) ([]*dho.Event, error) {
	f := strings.Split(line, "|")
	if len(f) != 6 {
		return nil, errCAPFields
	}
	category, notes := f[0], f[4]
	if m := capBogusHostPort.FindStringSubmatchIndex(notes); m != nil {
		notes = notes[:m[0]] + "hostname: " + notes[m[2]:m[3]] + "; port: " + notes[m[4]:m[5]] + notes[m[1]:]
	}
	c, err := capCommon(report, f, raw)
	if err != nil {
		return nil, err
	}
	asn := strings.Split(f[5], ", ")
	c.add("source.as_name", strings.Join(asn[:len(asn)-1], ", "))
	c.add("source.geolocation.cc", asn[len(asn)-1])
	static, ok := capStatic[category]
	if !ok {
		c.fail(fmt.Errorf("unknown category %q", category))
	}
	for _, kv := range static {
		c.add(kv[0], kv[1])
	}
	var ports []string
notes:
	for _, comment := range strings.Split(notes, ";") {
		if comment == "" || c.err != nil {
			continue
		}
		if !strings.Contains(comment, ":") || strings.HasPrefix(comment, "http") {
			switch category {
			case "proxy":
				comment = "proxy_type: " + comment
			case "bruteforce":
				c.add("classification.identifier", comment)
				c.add("protocol.application", comment)
				break notes
			case "phishing":
				c.add("source.url", comment)
				break notes
			default:
				if category == "bot" {
					// IntelMQ tries the old notes of a bot on a copy of
					// its state that it keeps when they parse.
					probe := &capEvent{ev: c.ev.Clone()}
					capBotOld(probe, strings.Split(notes, " "))
					if probe.err == nil {
						c.ev = probe.ev
						break notes
					}
				}
				c.fail(fmt.Errorf("cannot parse the comment %q of category %q", comment, category))
				break notes
			}
		}
		key, value, _ := strings.Cut(comment, ":")
		key, value = pytext.Strip(key), pytext.Strip(value)
		switch key {
		case "family":
			c.add("classification.identifier", strings.ToLower(value))
			c.add("malware.name", strings.ToLower(value))
		case "dest_addr", "destaddr":
			c.add("destination.ip", value)
		case "dest_port", "ports_scanned", "honeypot_port", "darknet_port", "destination_port_numbers":
			value = capPortsTotal.ReplaceAllString(value, "")
			for _, p := range strings.Split(value, ",") {
				ports = append(ports, pytext.Strip(p))
			}
		case "protocol":
			if name, ok := capProtocols[value]; ok {
				c.add("protocol.transport", name)
			} else if n, err := pyInt(value); err != nil {
				c.fail(err)
			} else if n >= 143 {
				c.add("extra.protocol.transport", n)
			} else {
				c.fail(fmt.Errorf("unknown protocol %q", value))
			}
		case "hostname":
			if s, err := sanitize.FQDN(value); (err != nil || s != value) && value == f[1] {
				continue
			}
			c.add("source.fqdn", value)
		case "proxy_type":
			if protocol, port, ok := strings.Cut(value, "-"); ok {
				if strings.Contains(port, "-") {
					c.fail(fmt.Errorf("proxy type %q: too many values to unpack", value))
					continue
				}
				c.add("protocol.application", protocol)
				c.add("source.port", port)
			} else {
				c.add("protocol.application", value)
			}
		case "port", "srcport":
			c.add("source.port", value)
		case "username":
			c.add("source.account", value)
		case "additional_asns":
			first, ok := c.ev.Get("source.asn")
			if !ok {
				c.fail(errors.New("additional_asns without source.asn"))
				continue
			}
			list := []any{first}
			for _, a := range strings.Split(value, ",") {
				n, err := pyInt(a)
				if err != nil {
					c.fail(err)
					continue notes
				}
				list = append(list, n)
			}
			c.add("extra.source.asns", list)
		default:
			c.fail(fmt.Errorf("unknown key %q in the comment of category %q", key, category))
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if len(ports) == 0 {
		return []*dho.Event{c.ev}, nil
	}
	out := make([]*dho.Event, 0, len(ports))
	for _, p := range ports {
		ev := c.ev.Clone()
		if _, err := parsers.Add(ev, "destination.port", p, parsers.Refuse); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}
