package microsoft

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Names of the CTIP parser in our registry and in IntelMQ's.
const (
	CTIPName          = "microsoft_ctip"
	CTIPIntelMQModule = "intelmq.bots.parsers.microsoft.parser_ctip"
)

func init() {
	parsers.Register(CTIPName, CTIPIntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return CTIPFromParams(params)
	})
}

// CTIPConfig configures a CTIP parser.
type CTIPConfig struct {
	// KeepExisting leaves fields that are set (by the report, or by an
	// earlier value) as they are instead of overwriting them with the
	// Azure data; feed.accuracy is always computed anew. It is IntelMQ's
	// overwrite parameter (true by default), negated.
	KeepExisting bool
}

// CTIP parses Microsoft's Cyber Threat Intelligence Program data: a JSON
// list of Interflow records (version 1.5), or Azure records as JSON lines.
// It is safe for concurrent use.
type CTIP struct {
	c CTIPConfig
}

// NewCTIP returns a CTIP parser configured by c.
func NewCTIP(c CTIPConfig) *CTIP { return &CTIP{c: c} }

// CTIPFromParams makes a CTIP parser from IntelMQ's parameters: overwrite.
func CTIPFromParams(params map[string]any) (*CTIP, error) {
	ps := parsers.NewParams(params)
	c := CTIPConfig{KeepExisting: !ps.Bool("overwrite", true)}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return NewCTIP(c), nil
}

// interflowFields maps the Interflow keys.
var interflowFields = map[string]string{
	"additionalmetadata":     "extra.additionalmetadata",
	"description":            "event_description.text",
	"externalid":             "malware.name",
	"tlplevel":               "tlp",
	"firstreporteddatetime":  "time.source",
	"networksourceipv4":      "source.ip",
	"networksourceport":      "source.port",
	"networkdestinationipv4": "destination.ip",
	"networkdestinationport": "destination.port",
	"isproductlicensed":      "extra.isproductlicensed",
	"ispartnershareable":     "extra.ispartnershareable",
	"networksourceasn":       "source.asn",
	"hostname":               "destination.fqdn",
	"useragent":              "extra.user_agent",
	"severity":               "extra.severity",
	"tags":                   "extra.tags",
}

// ignore marks Azure keys that are known and dropped.
const ignore = ""

// azureFields maps the Azure keys; nested objects are flattened to
// "Outer.Inner" first.
var azureFields = map[string]string{
	"DataFeed":               "feed.name",
	"SourcedFrom":            "event_description.text",
	"DateTimeReceivedUtc":    "time.source",
	"DateTimeReceivedUtcTxt": ignore,
	"Malware":                "extra.malware",
	"ThreatCode":             "malware.name",
	"ThreatConfidence":       "feed.accuracy",
	"TotalEncounters":        "extra.total_encounters",
	"TLP":                    "tlp",
	"SourceIp":               "source.ip",
	"SourcePort":             "source.port",
	"DestinationIp":          "destination.ip",
	"DestinationIpInfo.DestinationIpAsnNumber":      "destination.asn",
	"DestinationIpInfo.DestinationIpAsnOrgName":     "destination.as_name",
	"DestinationIpInfo.DestinationIpCountryCode":    "destination.geolocation.cc",
	"DestinationIpInfo.DestinationIpRegion":         "destination.geolocation.region",
	"DestinationIpInfo.DestinationIpCity":           "destination.geolocation.city",
	"DestinationIpInfo.DestinationIpPostalCode":     "extra.destination.geolocation.postal_code",
	"DestinationIpInfo.DestinationIpLatitude":       "destination.geolocation.latitude",
	"DestinationIpInfo.DestinationIpLongitude":      "destination.geolocation.longitude",
	"DestinationIpInfo.DestinationIpMetroCode":      "extra.destination.geolocation.metro_code",
	"DestinationIpInfo.DestinationIpAreaCode":       "extra.destination.geolocation.area_code",
	"DestinationIpInfo.DestinationIpConnectionType": "extra.destination.connection_type",
	"DestinationIpInfo.DestinationIpv4Int":          ignore,
	"DestinationPort":                               "destination.port",
	"TargetIp":                                      ignore,
	"TargetPort":                                    ignore,
	"Signatures.Sha256":                             "extra.signatures.sha256",
	"SourceIpInfo.SourceIpAsnNumber":                "source.asn",
	"SourceIpInfo.SourceIpAsnOrgName":               "source.as_name",
	"SourceIpInfo.SourceIpCountryCode":              "source.geolocation.cc",
	"SourceIpInfo.SourceIpRegion":                   "source.geolocation.region",
	"SourceIpInfo.SourceIpCity":                     "source.geolocation.city",
	"SourceIpInfo.SourceIpPostalCode":               "extra.source.geolocation.postal_code",
	"SourceIpInfo.SourceIpLatitude":                 "source.geolocation.latitude",
	"SourceIpInfo.SourceIpLongitude":                "source.geolocation.longitude",
	"SourceIpInfo.SourceIpMetroCode":                "extra.source.geolocation.metro_code",
	"SourceIpInfo.SourceIpAreaCode":                 "extra.source.geolocation.area_code",
	"SourceIpInfo.SourceIpConnectionType":           "extra.source.connection_type",
	"SourceIpInfo.SourceIpv4Int":                    ignore,
	"HttpInfo.HttpHost":                             "extra.http.host",
	"HttpInfo.HttpRequest":                          "extra.http.request",
	"HttpInfo.HttpMethod":                           "extra.http.method",
	"HttpInfo.HttpReferrer":                         "extra.http.referrer",
	"HttpInfo.HttpUserAgent":                        "extra.user_agent",
	"HttpInfo.HttpVersion":                          "extra.http.version",
	"CustomInfo.CustomField1":                       "extra.custom_field1",
	"CustomInfo.CustomField2":                       "extra.custom_field2",
	"CustomInfo.CustomField3":                       "extra.custom_field3",
	"CustomInfo.CustomField4":                       "extra.custom_field4",
	"CustomInfo.CustomField5":                       "extra.custom_field5",
	"Payload":                                       "extra.payload.text",
	"Payload.ts":                                    "extra.payload.timestamp",
	"Payload.ip":                                    "extra.payload.ip",
	"Payload.port":                                  "extra.payload.port",
	"Payload.serverIp":                              "extra.payload.server.ip",
	"Payload.serverPort":                            "extra.payload.server.port",
	"Payload.domain":                                "destination.fqdn",
	"Payload.family":                                "extra.payload.family",
	"Payload.malware":                               "extra.payload.malware",
	"Payload.response":                              "extra.payload.response",
	"Payload.handler":                               "extra.payload.handler",
	"Payload.type":                                  "protocol.application",
	"Payload.Time":                                  "extra.payload.time",
	"Payload.SourceIP":                              "extra.payload.source.ip",
	"Payload.DestIP":                                "extra.payload.destination.ip",
	"Payload.RemotePort":                            "extra.payload.remote.port",
	"Payload.RemoteHost":                            "extra.payload.remote.host",
	"Payload.ServerPort":                            "extra.payload.server.port",
	"Payload.BCode":                                 "extra.payload.b_code",
	"Payload.Protocol":                              "extra.payload.protocol",
	"Payload.Length":                                "extra.payload.length",
	"Payload.URI":                                   "destination.urlpath",
	"Payload.Referer":                               "extra.http_referer",
	"Payload.UserAgent":                             "extra.user_agent",
	"Payload.RequestMethod":                         "extra.http.method",
	"Payload.HTTPHost":                              "extra.http.host",
	"Payload.http_host":                             "extra.payload.http_host",
	"Payload.Custom1":                               "extra.payload.custom_field1",
	"Payload.Custom2":                               "extra.payload.custom_field2",
	"Payload.Custom3":                               "extra.payload.custom_field3",
	"Payload.Custom4":                               "extra.payload.custom_field4",
	"Payload.Custom5":                               "extra.payload.custom_field5",
	"Payload.timestamp":                             "extra.payload.timestamp",
	"Payload.timestamp_utc":                         "extra.payload.timestamp_utc",
	"Payload.source_ip":                             "extra.payload.source.ip",
	"Payload.source_port":                           "extra.payload.source.port",
	"Payload.src_port":                              "extra.payload.source.port",
	"Payload.destination_ip":                        "extra.payload.destination.ip",
	"Payload.dst_ip":                                "extra.payload.destination.ip",
	"Payload.destination_port":                      "extra.payload.destination.port",
	"Payload.dst_port":                              "extra.payload.destination.port",
	"Payload.computer_name":                         "extra.payload.computer_name",
	"Payload.bot_id":                                "extra.payload.bot_id",
	"Payload.asn":                                   "extra.payload.source.asn",
	"Payload.dst_asn":                               "extra.payload.destination.asn",
	"Payload.geo":                                   "extra.payload.source.geolocation.cc",
	"Payload.dst_geo":                               "extra.payload.destination.geolocation.cc",
	"Payload.url":                                   "extra.request_raw",
	"Payload.http_agent":                            "extra.http_agent",
	"Payload.p0f_genre":                             "extra.os.name",
	"Payload.p0f_detail":                            "extra.os.version",
	"Payload.http_post":                             "extra.payload.http_post",
	"Payload.naics":                                 "extra.naics",
	"Payload.sector":                                "extra.sector",
	"Payload.ssl_cipher":                            "extra.ssl_cipher",
}

// confidence gives the share of feed.accuracy each ThreatConfidence keeps.
var confidence = map[string]float64{"High": 100, "Medium": 50, "Low": 20, "Informational": 10}

// Parse makes one event per record. A report that is neither a JSON list
// nor JSON lines of objects fails as a whole; a record that cannot be read
// goes to fail and the others go on.
func (p *CTIP) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	text := jsonv.Text(report.Raw)
	switch {
	case strings.HasPrefix(text, "["):
		doc, err := jsonv.Parse(text)
		if err != nil {
			return err
		}
		if doc.Kind != jsonv.Array {
			return fmt.Errorf("the report is a JSON %s, not a list", doc.Kind)
		}
		for i, rec := range doc.Elems {
			if err := ctx.Err(); err != nil {
				return err
			}
			raw := jsonv.AppendJSON([]byte("["), rec, jsonv.Options{})
			raw = append(raw, ']')
			ev, err := p.interflow(report, rec, raw)
			if err != nil {
				fail(parsers.Failure{Raw: raw, Err: fmt.Errorf("record %d: %w", i+1, err)})
				continue
			}
			if err := emit(ev); err != nil {
				return err
			}
		}
		return nil
	case strings.HasPrefix(text, "{"):
		for n, line := range pytext.SplitLines(text) {
			if err := ctx.Err(); err != nil {
				return err
			}
			ev, err := p.azureLine(report, line)
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
	return errors.New("the report is neither a JSON list (Interflow) nor JSON objects (Azure)")
}

// isInterflow tells Interflow records (version 1.5) from Azure ones.
func isInterflow(rec jsonv.Value) bool {
	v, _ := rec.Get("version")
	return v.IsNumber() && jsonv.Equal(v, jsonv.FloatValue(1.5))
}

var errNotInterflow = errors.New("a record of a JSON list must be in the Interflow format (version 1.5)")

// interflow makes the event of an Interflow record.
func (p *CTIP) interflow(report *dho.Report, rec jsonv.Value, raw []byte) (*dho.Event, error) {
	if rec.Kind != jsonv.Object {
		return nil, fmt.Errorf("a JSON %s, not an object", rec.Kind)
	}
	if !isInterflow(rec) {
		return nil, errNotInterflow
	}
	threat, err := rec.Key("indicatorthreattype")
	if err != nil {
		return nil, err
	}
	if !threat.EqualString("Botnet") {
		return nil, fmt.Errorf("unknown indicatorthreattype %s, only Botnet is supported", threat.PyStr())
	}
	if md, ok := rec.Get("additionalmetadata"); ok && emptyMetadata(md) {
		rec = rec.Clone()
		rec.Delete("additionalmetadata")
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for i, key := range rec.Keys {
		v := rec.Elems[i]
		switch key {
		case "version", "indicatorthreattype", "confidence", "indicatorexpirationdatetime":
			continue
		case "firstreporteddatetime":
			if v.Kind != jsonv.String {
				return nil, fmt.Errorf("%s: %w: a JSON %s, not text", key, jsonv.ErrType, v.Kind)
			}
			v = jsonv.Str(v.S + " UTC")
		case "hostname":
			dst, err := rec.Key("networkdestinationipv4")
			if err != nil {
				return nil, err
			}
			if jsonv.Equal(v, dst) || !validFQDN(v, false) {
				continue // an address, or no name at all
			}
		case "networkdestinationipv4":
			if v.EqualString("0.0.0.0") {
				continue
			}
			if v.Kind == jsonv.String {
				// Since 2019 the field can repeat the address:
				// "192.0.2.1, 192.0.2.1".
				v.S, _, _ = strings.Cut(v.S, ",")
			}
		}
		name, ok := interflowFields[key]
		if !ok {
			return nil, fmt.Errorf("unknown key %q", key)
		}
		if _, err := jsonv.Add(ev, name, v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	conf, err := rec.Key("confidence")
	if err != nil {
		return nil, err
	}
	if !conf.IsNumber() {
		return nil, fmt.Errorf("confidence: %w: a JSON %s, not a number", jsonv.ErrType, conf.Kind)
	}
	acc := 100.0
	if ev.Feed.Accuracy != nil {
		acc = *ev.Feed.Accuracy
	}
	f, _ := conf.PyFloat()
	if _, err := parsers.Add(ev, "feed.accuracy", acc*f/100, parsers.Replace); err != nil {
		return nil, err
	}
	return finish(ev, raw)
}

// finish adds the classification and raw, as the last steps of both
// formats.
func finish(ev *dho.Event, raw []byte) (*dho.Event, error) {
	if _, err := parsers.Add(ev, "classification.type", "infected-system", parsers.Refuse); err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	return ev, nil
}

// emptyMetadata reports the additionalmetadata values that mean none: [],
// [""], ["null"] and [null].
func emptyMetadata(v jsonv.Value) bool {
	if v.Kind != jsonv.Array || len(v.Elems) > 1 {
		return false
	}
	if len(v.Elems) == 0 {
		return true
	}
	e := v.Elems[0]
	return e.Kind == jsonv.Null || e.EqualString("") || e.EqualString("null")
}

// validFQDN reports whether v is a domain name: after sanitation (IntelMQ's
// is_valid with sanitize), or exactly as it is (without).
func validFQDN(v jsonv.Value, exact bool) bool {
	if v.Kind != jsonv.String || parsers.Ignored(v.S) {
		return false
	}
	s, err := sanitize.FQDN(v.S)
	return err == nil && (!exact || s == v.S)
}

// azureLine makes the event of one line of Azure records.
func (p *CTIP) azureLine(report *dho.Report, line string) (*dho.Event, error) {
	rec, err := jsonv.Parse(line)
	if err != nil {
		return nil, err
	}
	if rec.Kind != jsonv.Object {
		return nil, fmt.Errorf("a JSON %s, not an object", rec.Kind)
	}
	if isInterflow(rec) {
		return nil, errors.New("an Interflow record (version 1.5) must be in a JSON list")
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if rec, err = flattenAzure(ev, rec); err != nil {
		return nil, err
	}
	ow := parsers.Replace
	if p.c.KeepExisting {
		ow = parsers.Keep
	}
	for i, key := range rec.Keys {
		v := rec.Elems[i]
		switch key {
		case "ThreatConfidence":
			if v.EqualString("None") {
				continue
			}
			share, ok := confidence[v.PyStr()]
			if !ok || v.Kind != jsonv.String {
				return nil, fmt.Errorf("unknown ThreatConfidence %s", v.PyStr())
			}
			acc := 100.0
			if ev.Feed.Accuracy != nil {
				acc = *ev.Feed.Accuracy
			}
			v = jsonv.FloatValue(acc * share / 100)
		case "DateTimeReceivedUtc":
			n, err := v.PyInt()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			t, err := sanitize.FromWindowsNT(strconv.FormatInt(n, 10))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			v = jsonv.Str(sanitize.FormatDateTime(t))
		case "Payload.ts":
			f, err := v.PyFloat()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			t, err := sanitize.FromTimestampFloat(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			v = jsonv.Str(sanitize.FormatDateTime(t))
		case "Payload.Protocol":
			if v.Kind != jsonv.String {
				return nil, fmt.Errorf("%s: %w: a JSON %s, not text", key, jsonv.ErrType, v.Kind)
			}
			// "HTTP/1.1" names the application; IntelMQ cuts at the
			// slash, and without one drops the last character.
			proto := v.S
			if i := strings.IndexByte(proto, '/'); i >= 0 {
				proto = proto[:i]
			} else if proto != "" {
				_, size := utf8.DecodeLastRuneInString(proto)
				proto = proto[:len(proto)-size]
			}
			if proto != "" {
				if _, err := parsers.Add(ev, "protocol.application", proto, parsers.Replace); err != nil {
					return nil, err
				}
			}
		case "Payload.domain":
			// The domain can repeat the server's address, which is
			// destination.ip already.
			if server, _ := rec.Get("Payload.serverIp"); !validFQDN(v, true) && jsonv.Equal(v, server) {
				continue
			}
		default:
			if !v.Truthy() {
				continue
			}
		}
		name, ok := azureFields[key]
		if !ok {
			return nil, fmt.Errorf("unknown key %q", key)
		}
		if name == ignore {
			continue
		}
		o := ow
		if name == "feed.accuracy" {
			o = parsers.Replace
		}
		if _, err := jsonv.Add(ev, name, v, o); err != nil {
			return nil, err
		}
	}
	return finish(ev, []byte(line))
}

// flattenAzure unpacks the payload (a JSON object goes to
// extra.payload.KEY at once; base64 of JSON is unpacked like the other
// nested objects; other base64 is decoded to text), drops an "Unknown"
// TLP, and flattens nested objects into "Outer.Inner" keys at the end.
func flattenAzure(ev *dho.Event, rec jsonv.Value) (jsonv.Value, error) {
	out := rec.Clone()
	for i, key := range rec.Keys {
		v := rec.Elems[i]
		switch {
		case key == "Payload":
			if v.EqualString("AA==") { // NULL
				out.Delete(key)
				continue
			}
			if v.Kind != jsonv.String {
				return out, fmt.Errorf("%s: %w: a JSON %s, not text", key, jsonv.ErrType, v.Kind)
			}
			if strings.HasPrefix(v.S, "{") {
				payload, err := jsonv.Parse(v.S)
				if err != nil {
					return out, fmt.Errorf("%s: %w", key, err)
				}
				if payload.Kind != jsonv.Object {
					return out, fmt.Errorf("%s: %w: a JSON %s, not an object", key, jsonv.ErrType, payload.Kind)
				}
				for j, k := range payload.Keys {
					if _, err := jsonv.Add(ev, "extra.payload."+k, payload.Elems[j], parsers.Refuse); err != nil {
						return out, err
					}
				}
				out.Delete(key)
				continue
			}
			b, err := pyBase64(v.S)
			if err != nil {
				return out, fmt.Errorf("%s: %w", key, err)
			}
			text := jsonv.Text(b)
			if decoded, err := jsonv.Parse(text); err == nil {
				v = decoded
			} else {
				out.Set(key, jsonv.Str(text))
			}
		case key == "TLP":
			if v.Kind != jsonv.String {
				return out, fmt.Errorf("%s: %w: a JSON %s, not text", key, jsonv.ErrType, v.Kind)
			}
			if strings.ToLower(v.S) == "unknown" {
				out.Delete(key)
			}
		}
		if v.Kind == jsonv.Object {
			for j, k := range v.Keys {
				out.Set(key+"."+k, v.Elems[j])
			}
			out.Delete(key)
		}
	}
	return out, nil
}

// pyBase64 decodes base64 as Python's b64decode does by default:
// characters outside the alphabet are skipped, the padding must be right.
func pyBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/', r == '=':
			return r
		}
		return -1
	}, s)
	if b, err := base64.StdEncoding.DecodeString(clean); err == nil {
		return b, nil
	}
	return nil, fmt.Errorf("%q is not base64", s)
}
