package dho

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleText is a valid input per value type and the canonical value it
// becomes, as Get returns it.
var sampleText = map[Type]struct {
	in   string
	want any
}{
	TypeString:                 {"some text", "some text"},
	TypeLowercaseString:        {"MiXeD", "mixed"},
	TypeUppercaseString:        {"at", "AT"},
	TypeIPAddress:              {"2001:DB8::1", "2001:db8::1"},
	TypeIPNetwork:              {"192.0.2.0/24", "192.0.2.0/24"},
	TypeFQDN:                   {"WWW.Example.COM", "www.example.com"},
	TypeURL:                    {"http://example.com/path", "http://example.com/path"},
	TypeASN:                    {"AS64496", int64(64496)},
	TypeInteger:                {"443", int64(443)},
	TypeFloat:                  {"48.25", 48.25},
	TypeAccuracy:               {"90", 90.0},
	TypeBoolean:                {"true", true},
	TypeDateTime:               {"2026-11-20T10:30:00+02:00", time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)},
	TypeTLP:                    {"AMBER", "AMBER"},
	TypeRegistry:               {"RIPE", "RIPE"},
	TypeClassificationTaxonomy: {"malicious-code", "malicious-code"},
	TypeClassificationType:     {"infected-system", "infected-system"},
	TypeBase64:                 {"raw line", []byte("raw line")},
	TypeJSON:                   {`{"a": 1}`, `{"a": 1}`},
	TypeUUID:                   {"0193A6F0-0000-7000-8000-000000000001", "0193a6f0-0000-7000-8000-000000000001"},
}

// sampleFor returns the sample for a field, adjusted to its constraints.
func sampleFor(f Field) (string, any) {
	s := sampleText[f.Type]
	switch {
	case strings.HasPrefix(f.Name, "misp."):
		return "1b3f9d2e-4c5a-4b6c-8d7e-9f0a1b2c3d4e", "1b3f9d2e-4c5a-4b6c-8d7e-9f0a1b2c3d4e"
	case f.Name == "event_hash":
		return "abcdef0123", "ABCDEF0123"
	case f.Name == "classification.taxonomy":
		return "malicious-code", "malicious-code"
	case f.Name == "protocol.transport":
		return "TCP", "tcp"
	}
	return s.in, s.want
}

func TestEveryFieldSetAndGetByName(t *testing.T) {
	for _, f := range Fields() {
		if f.Type == TypeJSONDict {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			in, want := sampleFor(f)
			var e Event
			if err := e.Set(f.Name, in); err != nil {
				t.Fatalf("Set(%q, %q): %v", f.Name, in, err)
			}
			got, ok := e.Get(f.Name)
			if !ok {
				t.Fatalf("Get(%q): not set after Set", f.Name)
			}
			if f.Multi {
				got = reflect.ValueOf(got).Index(0).Interface()
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Get(%q) = %#v, want %#v", f.Name, got, want)
			}
			// Exactly this one field is set.
			var names []string
			e.Range(func(name string, _ any) bool { names = append(names, name); return true })
			if !slices.Equal(names, []string{f.Name}) {
				t.Fatalf("Range after setting %s = %v", f.Name, names)
			}
			if !e.Delete(f.Name) || e.Has(f.Name) {
				t.Fatalf("Delete(%q) did not unset it", f.Name)
			}
			if !reflect.DeepEqual(e, Event{}) {
				t.Fatalf("event not empty after Delete(%q): %+v", f.Name, e)
			}
			if f.InReport {
				var r Report
				if err := r.Set(f.Name, in); err != nil {
					t.Fatalf("Report.Set(%q): %v", f.Name, err)
				}
				if got, _ := r.Get(f.Name); !reflect.DeepEqual(got, want) {
					t.Fatalf("Report.Get(%q) = %#v, want %#v", f.Name, got, want)
				}
			}
		})
	}
}

func TestReportRefusesEventFields(t *testing.T) {
	var r Report
	err := r.Set("source.ip", "192.0.2.1")
	if err == nil || !strings.Contains(err.Error(), "source.ip") {
		t.Fatalf("Report.Set(source.ip) = %v, want an unknown field error", err)
	}
}

// intelmqEventFields are the event fields of IntelMQ 3.3's harmonization with
// their types, plus the fields IntelMQ added later.
var intelmqEventFields = map[string]string{
	"classification.identifier": "String", "classification.taxonomy": "ClassificationTaxonomy",
	"classification.type": "ClassificationType", "comment": "String",
	"destination.abuse_contact": "LowercaseString", "destination.account": "String",
	"destination.allocated": "DateTime", "destination.as_name": "String", "destination.asn": "ASN",
	"destination.domain_suffix": "FQDN", "destination.fqdn": "FQDN", "destination.geolocation.cc": "UppercaseString",
	"destination.geolocation.city": "String", "destination.geolocation.country": "String",
	"destination.geolocation.latitude": "Float", "destination.geolocation.longitude": "Float",
	"destination.geolocation.region": "String", "destination.geolocation.state": "String",
	"destination.ip": "IPAddress", "destination.local_hostname": "String", "destination.local_ip": "IPAddress",
	"destination.network": "IPNetwork", "destination.port": "Integer", "destination.registry": "Registry",
	"destination.reverse_dns": "FQDN", "destination.tor_node": "Boolean", "destination.url": "URL",
	"destination.urlpath": "String", "event_description.target": "String", "event_description.text": "String",
	"event_description.url": "URL", "event_hash": "UppercaseString", "extra": "JSONDict", "feed.accuracy": "Accuracy",
	"feed.code": "String", "feed.documentation": "String", "feed.name": "String", "feed.provider": "String",
	"feed.url": "URL", "malware.hash.md5": "String", "malware.hash.sha1": "String", "malware.hash.sha256": "String",
	"malware.name": "LowercaseString", "malware.version": "String", "misp.attribute_uuid": "LowercaseString",
	"misp.event_uuid": "LowercaseString", "output": "JSON", "protocol.application": "LowercaseString",
	"protocol.transport": "LowercaseString", "raw": "Base64", "rtir_id": "Integer", "screenshot_url": "URL",
	"source.abuse_contact": "LowercaseString", "source.account": "String", "source.allocated": "DateTime",
	"source.as_name": "String", "source.asn": "ASN", "source.domain_suffix": "FQDN", "source.fqdn": "FQDN",
	"source.geolocation.cc": "UppercaseString", "source.geolocation.city": "String",
	"source.geolocation.country": "String", "source.geolocation.cymru_cc": "UppercaseString",
	"source.geolocation.geoip_cc": "UppercaseString", "source.geolocation.latitude": "Float",
	"source.geolocation.longitude": "Float", "source.geolocation.region": "String",
	"source.geolocation.state": "String", "source.ip": "IPAddress", "source.local_hostname": "String",
	"source.local_ip": "IPAddress", "source.network": "IPNetwork", "source.port": "Integer",
	"source.registry": "Registry", "source.reverse_dns": "FQDN", "source.tor_node": "Boolean",
	"source.url": "URL", "source.urlpath": "String", "status": "String", "time.observation": "DateTime",
	"time.source": "DateTime", "tlp": "TLP",
	// Added to IntelMQ after 3.3.
	"severity": "LowercaseString", "product.name": "String", "product.vendor": "String",
	"product.version": "String", "product.vulnerabilities": "LowercaseString",
}

var intelmqReportFields = []string{"extra", "feed.accuracy", "feed.code", "feed.documentation", "feed.name",
	"feed.provider", "feed.url", "raw", "rtir_id", "time.observation"}

func TestIntelMQFieldsPresent(t *testing.T) {
	if n := len(intelmqEventFields); n != 82+5 {
		t.Fatalf("test table has %d IntelMQ fields, want 87", n)
	}
	for name, typ := range intelmqEventFields {
		f, ok := LookupField(name)
		if !ok {
			t.Errorf("IntelMQ field %s missing", name)
			continue
		}
		if f.Type.String() != typ {
			t.Errorf("%s: type %s, IntelMQ has %s", name, f.Type, typ)
		}
		if !f.IntelMQ {
			t.Errorf("%s: not marked as an IntelMQ field", name)
		}
	}
	for _, f := range Fields() {
		if _, ok := intelmqEventFields[f.Name]; f.IntelMQ != ok {
			t.Errorf("%s: IntelMQ=%v, but the IntelMQ list says %v", f.Name, f.IntelMQ, ok)
		}
		if f.Doc == "" || f.Since == "" {
			t.Errorf("%s: missing doc or since", f.Name)
		}
	}
	var got []string
	for _, f := range ReportFields() {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, intelmqReportFields) {
		t.Errorf("report fields = %v, want %v", got, intelmqReportFields)
	}
}

// TestHarmonizationReference checks the registry against IntelMQ's own
// harmonization file where it is at hand (beside the project); CI has it.
func TestHarmonizationReference(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "reference", "intelmq-3.3-harmonization.json")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference harmonization not found: %v", err)
		}
		t.Skipf("reference harmonization not found: %v", err)
	}
	var h map[string]map[string]struct {
		Type   string `json:"type"`
		Length int    `json:"length"`
		Regex  string `json:"regex"`
		IRegex string `json:"iregex"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	for name, spec := range h["event"] {
		f, ok := LookupField(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if f.Type.String() != spec.Type {
			t.Errorf("%s: type %s, reference %s", name, f.Type, spec.Type)
		}
		if spec.Length != 0 && f.MaxLength != spec.Length && f.Max == 0 {
			t.Errorf("%s: max length %d, reference %d", name, f.MaxLength, spec.Length)
		}
		if spec.Regex != f.Pattern {
			t.Errorf("%s: pattern %q, reference %q", name, f.Pattern, spec.Regex)
		}
		if spec.IRegex != f.IPattern {
			t.Errorf("%s: case-insensitive pattern %q, reference %q", name, f.IPattern, spec.IRegex)
		}
	}
	for name := range h["report"] {
		if f, ok := LookupField(name); !ok || !f.InReport {
			t.Errorf("report field %s missing", name)
		}
	}
}

func TestMultiValuedFields(t *testing.T) {
	want := []string{"destination.fqdn", "destination.ip", "destination.port", "destination.url",
		"malware.name", "product.vulnerabilities", "source.fqdn", "source.ip", "source.port", "source.url", "tags"}
	var got []string
	for _, f := range Fields() {
		if f.Multi {
			got = append(got, f.Name)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("multi-valued fields = %v, want %v", got, want)
	}
}

func TestTypesRoundTripByName(t *testing.T) {
	for _, typ := range Types() {
		got, ok := ParseType(typ.String())
		if !ok || got != typ || typ.Doc() == "" {
			t.Errorf("type %d: ParseType(%q) = %v, %v; doc %q", typ, typ.String(), got, ok, typ.Doc())
		}
		if _, ok := sampleText[typ]; !ok && typ != TypeJSONDict {
			t.Errorf("no sample value for type %s", typ)
		}
	}
}
