package syslog

import (
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
)

// facilities are the syslog facility names (RFC 5424 section 6.2.1).
var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7, "uucp": 8, "cron": 9,
	"authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14, "solaris-cron": 15,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// severities are the syslog severity names.
var severities = map[string]int{
	"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5, "info": 6, "debug": 7,
}

// eventSeverity maps DHO's severity field (IntelMQ's high, medium, low,
// info) to a syslog severity and a CEF severity (0 to 10).
func eventSeverity(e *dho.Event, fallback int) (syslogSev, cefSev int) {
	switch strings.ToLower(e.Severity) {
	case "high":
		return severities["err"], 8
	case "medium":
		return severities["warning"], 5
	case "low":
		return severities["notice"], 3
	case "info":
		return severities["info"], 1
	}
	return fallback, 5
}

// header appends the RFC 5424 header: <PRI>1 TIMESTAMP HOSTNAME APP-NAME
// PROCID MSGID, then the structured data.
func (o *Output) header(dst []byte, e *dho.Event, now time.Time) []byte {
	sev, _ := eventSeverity(e, o.severity)
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(o.facility*8+sev), 10)
	dst = append(dst, ">1 "...)
	dst = now.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	dst = append(dst, ' ')
	dst = append(dst, o.hostname...)
	dst = append(dst, ' ')
	dst = append(dst, o.appName...)
	dst = append(dst, ' ')
	dst = append(dst, o.procID...)
	dst = append(dst, ' ')
	dst = append(dst, o.msgID...)
	// Structured data: the event id, so receivers can drop repeats.
	dst = append(dst, ` [intelstream@32473 id="`...)
	dst = appendSDValue(dst, outkit.EventID(e))
	return append(dst, `"] `...)
}

// appendSDValue escapes a structured-data parameter value: ", \ and ].
func appendSDValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '"', '\\', ']':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// printUSASCII keeps header fields to what RFC 5424 allows (PRINTUSASCII,
// at most max characters); an empty result is the NILVALUE "-".
func printUSASCII(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		if s[i] >= 33 && s[i] <= 126 {
			b.WriteByte(s[i])
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// cefFields map DHO fields to CEF extension keys (ArcSight's dictionary).
var cefFields = []struct{ key, field string }{
	{"externalId", "id"},
	{"rt", "time.source"},
	{"src", "source.ip"},
	{"spt", "source.port"},
	{"shost", "source.fqdn"},
	{"dst", "destination.ip"},
	{"dpt", "destination.port"},
	{"dhost", "destination.fqdn"},
	{"request", "source.url"},
	{"proto", "protocol.transport"},
	{"app", "protocol.application"},
	{"cat", "classification.taxonomy"},
	{"msg", "comment"},
	{"cs1", "feed.name"},
	{"cs2", "malware.name"},
	{"cs3", "classification.identifier"},
	{"cn1", "source.asn"},
}

var cefLabels = []string{"cs1Label=feed", "cs2Label=malware", "cs3Label=identifier", "cn1Label=asn"}

// appendCEF appends the event in ArcSight's Common Event Format:
// CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension.
func appendCEF(dst []byte, e *dho.Event, fallback int) []byte {
	_, sev := eventSeverity(e, fallback)
	sig := e.Classification.Identifier
	if sig == "" {
		sig = e.Classification.Type
	}
	name := e.Classification.Type
	if e.EventDescription.Text != "" {
		name = e.EventDescription.Text
	}
	dst = append(dst, "CEF:0|intelstream|intelstream|"...)
	for _, h := range []string{dho.Version, sig, name} {
		dst = appendCEFHeader(dst, h)
		dst = append(dst, '|')
	}
	dst = strconv.AppendInt(dst, int64(sev), 10)
	dst = append(dst, '|')
	first := true
	for _, f := range cefFields {
		var v string
		if f.field == "time.source" {
			if e.Time.Source == nil {
				continue
			}
			v = strconv.FormatInt(e.Time.Source.UnixMilli(), 10)
		} else if f.field == "id" {
			v = outkit.EventID(e)
		} else if v = firstValue(e, f.field); v == "" {
			continue
		}
		if !first {
			dst = append(dst, ' ')
		}
		first = false
		dst = append(dst, f.key...)
		dst = append(dst, '=')
		dst = appendCEFValue(dst, v)
		if strings.HasPrefix(f.key, "cs") || strings.HasPrefix(f.key, "cn") {
			for _, l := range cefLabels {
				if strings.HasPrefix(l, f.key+"Label=") {
					dst = append(dst, ' ')
					dst = append(dst, l...)
				}
			}
		}
	}
	return dst
}

// firstValue is a field's text; of a list, its first value (CEF keys
// take one value).
func firstValue(e *dho.Event, name string) string {
	v, ok := e.Get(name)
	if !ok {
		return ""
	}
	switch l := v.(type) {
	case []string:
		if len(l) > 0 {
			return l[0]
		}
		return ""
	case []int64:
		if len(l) > 0 {
			return strconv.FormatInt(l[0], 10)
		}
		return ""
	}
	return outkit.ValueText(v)
}

// appendCEFHeader escapes a header field: \ and |; line ends become spaces.
func appendCEFHeader(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '|':
			dst = append(dst, '\\', c)
		case '\r', '\n':
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendCEFValue escapes an extension value: \ and =, line ends as \n
// and \r.
func appendCEFValue(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '=':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
