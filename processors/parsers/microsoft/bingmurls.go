package microsoft

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Names of the Bing malicious URLs parser in our registry and in IntelMQ's.
const (
	BingMURLsName          = "microsoft_bingmurls"
	BingMURLsIntelMQModule = "intelmq.bots.parsers.microsoft.parser_bingmurls"
)

func init() {
	parsers.Register(BingMURLsName, BingMURLsIntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return BingMURLs{}, nil
	})
}

// BingMURLs parses Microsoft's list of malicious URLs seen by Bing (a JSON
// list of version 1.5 records). It has no state and no parameters.
type BingMURLs struct{}

// bingFields maps the record's keys.
var bingFields = map[string]string{
	"Attributable":                "extra.attributable",
	"Description":                 "event_description.text",
	"IndicatorThreatType":         "classification.identifier",
	"TLPLevel":                    "tlp",
	"FirstReportedDateTime":       "time.source",
	"NetworkDestinationAsn":       "source.asn",
	"NetworkDestinationIPv4":      "source.ip",
	"NetworkDestinationPort":      "source.port",
	"IsProductLicensed":           "extra.isproductlicensed",
	"IsPartnerShareable":          "extra.ispartnershareable",
	"Url":                         "source.url",
	"IndicatorProvider":           "extra.indicator_provider",
	"IndicatorExpirationDateTime": "extra.indicator_expiration_date_time",
	"ThreatDetectionProduct":      "extra.threat_detection_product",
	"Tags":                        "extra.tags",
}

// Parse makes one blacklist event per record; a report that is no JSON
// list fails as a whole, a record that cannot be read goes to fail.
func (BingMURLs) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
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
		raw := jsonv.AppendJSON([]byte("["), rec, jsonv.Options{SortKeys: true})
		raw = append(raw, ']')
		ev, err := bingEvent(report, rec, raw)
		if err != nil {
			fail(parsers.Failure{Raw: raw, Err: fmt.Errorf("record %d: %w", i+1, err)})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func bingEvent(report *dho.Report, rec jsonv.Value, raw []byte) (*dho.Event, error) {
	version, err := rec.Key("Version")
	if err != nil {
		return nil, err
	}
	if !version.IsNumber() || !jsonv.Equal(version, jsonv.FloatValue(1.5)) {
		return nil, fmt.Errorf("unknown Version %s, only 1.5 is supported", version.PyStr())
	}
	threat, err := rec.Key("IndicatorThreatType")
	if err != nil {
		return nil, err
	}
	if !threat.EqualString("MaliciousUrl") {
		return nil, fmt.Errorf("unknown IndicatorThreatType %s, only MaliciousUrl is supported", threat.PyStr())
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for i, key := range rec.Keys {
		v := rec.Elems[i]
		switch key {
		case "LastReportedDateTime":
			first, err := rec.Key("FirstReportedDateTime")
			if err != nil {
				return nil, err
			}
			if !jsonv.Equal(v, first) {
				return nil, fmt.Errorf("member LastReportedDateTime %s differs from FirstReportedDateTime %s", v.PyStr(), first.PyStr())
			}
			continue
		case "Version":
			continue
		case "NetworkDestinationIPv4":
			if v.EqualString("0.0.0.0") || v.EqualString("255.255.255.255") {
				continue
			}
		case "NetworkDestinationAsn":
			if v.IsNumber() && jsonv.Equal(v, jsonv.IntValue(0)) {
				continue
			}
		case "Tags":
			// One tag is the country code ("??" for none).
			var first jsonv.Value
			n := -1
			switch v.Kind {
			case jsonv.Array:
				if n = len(v.Elems); n > 0 {
					first = v.Elems[0]
				}
			case jsonv.String:
				if n = utf8.RuneCountInString(v.S); n > 0 {
					r, _ := utf8.DecodeRuneInString(v.S)
					first = jsonv.Str(string(r))
				}
			}
			if n < 0 {
				return nil, fmt.Errorf("member Tags: %w: a JSON %s", jsonv.ErrType, v.Kind)
			}
			if n == 1 {
				if !first.EqualString("??") {
					if _, err := jsonv.Add(ev, "source.geolocation.cc", first, parsers.Refuse); err != nil {
						return nil, err
					}
				}
				continue
			}
		}
		name, ok := bingFields[key]
		if !ok {
			return nil, fmt.Errorf("unknown key %q", key)
		}
		if _, err := jsonv.Add(ev, name, v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	if _, err := parsers.Add(ev, "classification.type", "blacklist", parsers.Refuse); err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	return ev, nil
}
