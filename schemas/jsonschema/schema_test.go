package jsonschema

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// samples are valid inputs per value type, three distinct ones so that
// multi-valued fields can hold several. They are inputs, not canonical
// values: Set sanitizes them, and the schema must accept what comes out.
// Some are chosen to sit where a JSON Schema format is stricter than dho.
var samples = map[dho.Type][3]string{
	dho.TypeString:                 {"some text", "Constituency A", "日本語 🙂"},
	dho.TypeLowercaseString:        {"MiXeD", "CVE-2026-0001", "zeus"},
	dho.TypeUppercaseString:        {"at", "de", "A1"},
	dho.TypeIPAddress:              {"2001:DB8::1", "198.51.100.7", "::ffff:192.0.2.9"},
	dho.TypeIPNetwork:              {"192.0.2.7/24", "2001:db8::/32", "::ffff:192.0.2.0/120"},
	dho.TypeFQDN:                   {"WWW.Example.COM", "Bücher.example", "_dmarc.example.org"},
	dho.TypeURL:                    {"http://example.com/path", "hxxps://evil.example/a b?c=%zz#frag", "//example.net/no-scheme"},
	dho.TypeASN:                    {"AS64496", "4294967295", "1"},
	dho.TypeInteger:                {"443", "0", "65535"},
	dho.TypeFloat:                  {"48.25", "-16.370001", "0"},
	dho.TypeAccuracy:               {"90", "0", "100"},
	dho.TypeBoolean:                {"true", "false", "true"},
	dho.TypeDateTime:               {"2026-11-20T10:30:00+02:00", "2026-01-01 10:00:00.25", "1999-12-31T23:59:59Z"},
	dho.TypeTLP:                    {"tlp:amber", "CLEAR", "red"},
	dho.TypeRegistry:               {"ripencc", "ARIN", "afrinic"},
	dho.TypeClassificationTaxonomy: {"malicious-code", "Malicious Code", "vulnerable"},
	dho.TypeClassificationType:     {"infected-system", "botnet drone", "c&c"},
	dho.TypeBase64:                 {"raw line", "x", "ab"},
	dho.TypeJSON:                   {`{"a": 1}`, `[1, 2]`, `"text"`},
	dho.TypeUUID:                   {"0193A6F0-0000-7000-8000-000000000001", "1b3f9d2e-4c5a-4b6c-8d7e-9f0a1b2c3d4e", "00000000-0000-0000-0000-000000000000"},
}

// sampleFor adjusts the samples to fields with their own limits.
func sampleFor(f dho.Field) [3]string {
	switch {
	case strings.HasPrefix(f.Name, "misp."):
		return [3]string{"1b3f9d2e-4c5a-4b6c-8d7e-9f0a1b2c3d4e", "1B3F9D2E-4C5A-4B6C-8D7E-9F0A1B2C3D4E", "0000aaaa-1111-2222-3333-444455556666"}
	case f.Name == "event_hash":
		return [3]string{"abcdef0123", "0A/B.C", "FFFF"}
	case f.Name == "malware.name":
		return [3]string{"Emotet", "zeus", "qakbot 2"}
	case f.Name == "protocol.transport":
		return [3]string{"TCP", "udp", "icmp"}
	}
	return samples[f.Type]
}

// flatOptions are the ways a record is written: both modes, with and
// without __type, UTF-8 and ASCII.
var flatOptions = map[string]dho.FlatOptions{
	"intelmq":       {Mode: dho.FlatIntelMQ},
	"dho":           {Mode: dho.FlatDHO},
	"intelmq-plain": {Mode: dho.FlatIntelMQ, OmitType: true, ASCII: true},
	"dho-plain":     {Mode: dho.FlatDHO, OmitType: true, ASCII: true},
}

// validEvent checks that e, written in every way, validates and reads back.
func validEvent(t *testing.T, e *dho.Event) {
	t.Helper()
	for name, o := range flatOptions {
		doc := e.MarshalFlat(o)
		if err := Validate(Event(), doc); err != nil {
			t.Errorf("%s form refused: %v\n%s", name, err, doc)
			continue
		}
		if _, err := dho.ParseEvent(doc); err != nil {
			t.Errorf("%s form does not read back: %v", name, err)
		}
	}
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, bytes.Clone(line))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no lines", path)
	}
	return out
}

func TestTestdataValidates(t *testing.T) {
	dir := filepath.Join("..", "..", "dho", "testdata")
	for _, tc := range []struct {
		file   string
		schema []byte
	}{
		{"intelmq-events.jsonl", Event()},
		{"intelmq-reports.jsonl", Report()},
	} {
		for i, line := range readLines(t, filepath.Join(dir, tc.file)) {
			if err := Validate(tc.schema, line); err != nil {
				t.Errorf("%s line %d: %v", tc.file, i+1, err)
			}
		}
	}
}

// TestTestdataRewrittenValidates reads the sample events with dho and
// writes them in every form: what dho writes, the schema accepts.
func TestTestdataRewrittenValidates(t *testing.T) {
	for i, line := range readLines(t, filepath.Join("..", "..", "dho", "testdata", "intelmq-events.jsonl")) {
		e, err := dho.ParseEvent(line)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		validEvent(t, e)
	}
}

func TestEveryFieldValidates(t *testing.T) {
	for _, f := range dho.Fields() {
		if f.Type == dho.TypeJSONDict {
			continue
		}
		s := sampleFor(f)
		counts := []int{1}
		if f.Multi {
			counts = append(counts, 3)
		}
		for _, n := range counts {
			t.Run(f.Name+"/"+string(rune('0'+n)), func(t *testing.T) {
				var e dho.Event
				var v any = s[0]
				if n > 1 {
					v = s[:n]
				}
				if err := e.Set(f.Name, v); err != nil {
					t.Fatalf("Set(%q, %q): %v", f.Name, v, err)
				}
				validEvent(t, &e)
			})
		}
	}
}

// fullEvent has every field set, multi-valued ones with three values, and
// extra values of every JSON kind.
func fullEvent(t *testing.T) *dho.Event {
	t.Helper()
	var e dho.Event
	for _, f := range dho.Fields() {
		if f.Type == dho.TypeJSONDict {
			continue
		}
		s := sampleFor(f)
		var v any = s[0]
		if f.Multi {
			v = s[:]
		}
		if err := e.Set(f.Name, v); err != nil {
			t.Fatalf("Set(%q, %q): %v", f.Name, v, err)
		}
	}
	extras := map[string]any{
		"extra.text":             "x",
		"extra.count":            int64(3),
		"extra.ratio":            0.5,
		"extra.flag":             false,
		"extra.nothing":          nil,
		"extra.list":             dho.List(dho.Int(1), dho.String("two")),
		"extra.nested.obj":       dho.Object(map[string]dho.Value{"Any Key": dho.Bool(true)}),
		"extra.dho.not_a_field":  "reserved prefix, but no field of this name",
		"extra.1st_part.2nd_0_x": "digits and underscores",
	}
	for k, v := range extras {
		if v == nil {
			if err := e.Set(k, dho.Null()); err != nil {
				t.Fatalf("Set(%q): %v", k, err)
			}
			continue
		}
		if err := e.Set(k, v); err != nil {
			t.Fatalf("Set(%q): %v", k, err)
		}
	}
	return &e
}

func TestFullEventValidates(t *testing.T) {
	validEvent(t, fullEvent(t))
}

func TestReportValidates(t *testing.T) {
	var r dho.Report
	for _, f := range dho.ReportFields() {
		if f.Type == dho.TypeJSONDict {
			if err := r.Set("extra.file_name", "feed.csv"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := r.Set(f.Name, sampleFor(f)[0]); err != nil {
			t.Fatalf("Set(%q): %v", f.Name, err)
		}
	}
	for name, o := range flatOptions {
		if err := Validate(Report(), r.MarshalFlat(o)); err != nil {
			t.Errorf("%s form refused: %v", name, err)
		}
	}
	// An event is no report.
	if err := Validate(Report(), fullEvent(t).MarshalFlat(dho.FlatOptions{})); err == nil {
		t.Error("report schema accepts an event")
	}
}

func TestRefused(t *testing.T) {
	event, report := Event(), Report()
	for _, tc := range []struct {
		name   string
		schema []byte
		doc    string
		key    string // the pointer the error must name
	}{
		{"invalid IP", event, `{"source.ip": "300.1.2.3"}`, "/source.ip"},
		{"invalid IP in a list", event, `{"source.ip": ["192.0.2.1", "300.1.2.3"]}`, "/source.ip/1"},
		{"IP not canonical", event, `{"source.ip": "2001:DB8::1"}`, "/source.ip"},
		{"unspecified IPv4", event, `{"destination.ip": "0.0.0.0"}`, "/destination.ip"},
		{"network with host bits beyond prefix", event, `{"source.network": "192.0.2.0/33"}`, "/source.network"},
		{"unknown key", event, `{"source.ip": "192.0.2.1", "source.colour": "red"}`, "/source.colour"},
		{"uppercase FQDN", event, `{"source.fqdn": "WWW.example.com"}`, "/source.fqdn"},
		{"FQDN with trailing dot", event, `{"source.fqdn": "www.example.com."}`, "/source.fqdn"},
		{"IP address as FQDN", event, `{"source.reverse_dns": "192.0.2.1"}`, "/source.reverse_dns"},
		{"URL without host", event, `{"source.url": "example.com/x"}`, "/source.url"},
		{"defanged URL", event, `{"source.url": "hxxp://example.com/"}`, "/source.url"},
		{"non-canonical time", event, `{"time.source": "2026-01-01 10:00:00"}`, "/time.source"},
		{"time not in UTC", event, `{"time.source": "2026-01-01T10:00:00+02:00"}`, "/time.source"},
		{"year 0", event, `{"time.source": "0000-01-01T00:00:00+00:00"}`, "/time.source"},
		{"year 10000", event, `{"time.source": "10000-01-01T00:00:00+00:00"}`, "/time.source"},
		{"time with milliseconds", event, `{"time.source": "2026-01-01T10:00:00.250+00:00"}`, "/time.source"},
		{"port 70000", event, `{"destination.port": 70000}`, "/destination.port"},
		{"port as text", event, `{"destination.port": "22"}`, "/destination.port"},
		{"ASN 0", event, `{"source.asn": 0}`, "/source.asn"},
		{"accuracy 101", event, `{"feed.accuracy": 101}`, "/feed.accuracy"},
		{"wrong classification type", event, `{"classification.type": "botnet drone"}`, "/classification.type"},
		{"wrong taxonomy", event, `{"classification.taxonomy": "Malicious Code"}`, "/classification.taxonomy"},
		{"TLP 2.0 name", event, `{"tlp": "CLEAR"}`, "/tlp"},
		{"registry not canonical", event, `{"source.registry": "RIPENCC"}`, "/source.registry"},
		{"lowercase country", event, `{"source.geolocation.cc": "at"}`, "/source.geolocation.cc"},
		{"country too long", event, `{"source.geolocation.cc": "AUT"}`, "/source.geolocation.cc"},
		{"uppercase in lowercase field", event, `{"malware.name": "Emotet"}`, "/malware.name"},
		{"event hash pattern", event, `{"event_hash": "XYZ"}`, "/event_hash"},
		{"uppercase UUID", event, `{"id": "0193A6F0-0000-7000-8000-000000000001"}`, "/id"},
		{"raw not base64", event, `{"raw": "not base64!"}`, "/raw"},
		{"output not JSON", event, `{"output": "{nope"}`, "/output"},
		{"empty string", event, `{"comment": ""}`, "/comment"},
		{"null for unset", event, `{"comment": null}`, "/comment"},
		{"extra.Bad-Key", event, `{"extra.Bad-Key": 1}`, "/extra.Bad-Key"},
		{"extra key with empty part", event, `{"extra.a..b": 1}`, "/extra.a..b"},
		{"extra.dho value checked", event, `{"extra.dho.id": "not a uuid"}`, "/extra.dho.id"},
		{"extra.dho list of further values", event, `{"extra.dho.source.ip": ["192.0.2.1", "300.1.2.3"]}`, "/extra.dho.source.ip/1"},
		{"extra object with bad key", event, `{"extra": {"Bad": 1}}`, "/extra/Bad"},
		{"extra string with bad key", event, `{"extra": "{\"Bad\": 1}"}`, "/extra"},
		{"extra string not an object", event, `{"extra": "[1]"}`, "/extra"},
		{"list for a single-valued field", event, `{"feed.name": ["a", "b"]}`, "/feed.name"},
		{"empty list", event, `{"source.ip": []}`, "/source.ip"},
		{"repeated value", event, `{"tags": ["a", "a"]}`, "/tags"},
		{"__type Report in the event schema", event, `{"__type": "Report"}`, "/__type"},
		{"__type Event in the report schema", report, `{"__type": "Event"}`, "/__type"},
		{"event field in a report", report, `{"source.ip": "192.0.2.1"}`, "/source.ip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.schema, []byte(tc.doc))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate(%s) = %v, want a *ValidationError", tc.doc, err)
			}
			if len(ve.Violations) == 0 || ve.Violations[0].Pointer != tc.key {
				t.Fatalf("Validate(%s) = %v, want the first violation at %s", tc.doc, err, tc.key)
			}
			if !strings.Contains(err.Error(), tc.key+": ") {
				t.Fatalf("error %q does not name %s", err, tc.key)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	err := Validate(Event(), []byte(`{"source.ip": `))
	var ve *ValidationError
	if err == nil || errors.As(err, &ve) {
		t.Fatalf("Validate(broken JSON) = %v, want a plain error", err)
	}
	if err := Validate([]byte(`{"type": `), []byte(`{}`)); err == nil {
		t.Fatal("Validate with a broken schema succeeded")
	}
}

// TestSchemaShape checks the documents against the registry: every field a
// property with its description, every type a definition, and the keys a
// reader relies on.
func TestSchemaShape(t *testing.T) {
	for _, tc := range []struct {
		schema []byte
		id     string
		fields []dho.Field
	}{
		{Event(), EventID, dho.Fields()},
		{Report(), ReportID, dho.ReportFields()},
	} {
		var s struct {
			Schema     string                     `json:"$schema"`
			ID         string                     `json:"$id"`
			Title      string                     `json:"title"`
			Desc       string                     `json:"description"`
			Version    string                     `json:"x-dho-version"`
			Additional *bool                      `json:"additionalProperties"`
			Props      map[string]json.RawMessage `json:"properties"`
			Defs       map[string]json.RawMessage `json:"$defs"`
		}
		if err := json.Unmarshal(tc.schema, &s); err != nil {
			t.Fatal(err)
		}
		if s.Schema != Draft || s.ID != tc.id || s.Title == "" || s.Desc == "" || s.Version != dho.Version {
			t.Errorf("%s: header %q %q %q %q", tc.id, s.Schema, s.ID, s.Title, s.Version)
		}
		if s.Additional == nil || *s.Additional {
			t.Errorf("%s: additionalProperties is not false", tc.id)
		}
		want := map[string]bool{"__type": true}
		for _, f := range tc.fields {
			want[f.Name] = true
			if f.Type != dho.TypeJSONDict {
				want["extra.dho."+f.Name] = true
				if _, ok := s.Defs[f.Type.String()]; !ok {
					t.Errorf("%s: no definition of type %s", tc.id, f.Type)
				}
			}
			var p struct {
				Desc string `json:"description"`
				Type string `json:"x-dho-type"`
			}
			if err := json.Unmarshal(s.Props[f.Name], &p); err != nil || p.Desc != f.Doc || p.Type != f.Type.String() {
				t.Errorf("%s: property %s: %s (%v)", tc.id, f.Name, s.Props[f.Name], err)
			}
		}
		for name := range s.Props {
			if !want[name] {
				t.Errorf("%s: property %s is no field", tc.id, name)
			}
			delete(want, name)
		}
		for name := range want {
			t.Errorf("%s: no property %s", tc.id, name)
		}
	}
	if !bytes.Equal(Event(), Event()) {
		t.Error("Event is not deterministic")
	}
}

// TestIPPatterns checks the hand-built IPv6 and CIDR expressions against
// net/netip's canonical forms, which the IP sanitizers print.
func TestIPPatterns(t *testing.T) {
	network := regexp.MustCompile(patIPNetwork)
	addr6 := regexp.MustCompile(`^` + ipv6 + `$`)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b [16]byte
		for j := range b {
			// Many zero bytes, so that "::" lands everywhere.
			if r.IntN(3) > 0 {
				b[j] = byte(r.UintN(256))
			}
		}
		a := netip.AddrFrom16(b)
		if i%5 == 0 {
			a = netip.AddrFrom4([4]byte(b[:4]))
		}
		if a.Is6() && !addr6.MatchString(a.String()) {
			t.Fatalf("IPv6 pattern refuses %s", a)
		}
		p, _ := a.Prefix(r.IntN(a.BitLen() + 1))
		if !network.MatchString(p.String()) {
			t.Fatalf("network pattern refuses %s", p)
		}
	}
	for _, bad := range []string{"192.0.2.0", "192.0.2.0/33", "01.2.3.4/8", "2001:db8::/129", "2001:DB8::/32",
		"1:2:3:4:5:6:7:8:9/64", "1::2::3/64", "192.0.2.0/024"} {
		if network.MatchString(bad) {
			t.Errorf("network pattern accepts %s", bad)
		}
	}
}

// FuzzSanitizedValueValidates is the consistency check between package dho
// and the schema: whatever value dho accepts for a field, written in either
// flat mode, the schema must accept too.
func FuzzSanitizedValueValidates(f *testing.F) {
	fields := dho.Fields()
	for i, fd := range fields {
		for _, s := range sampleFor(fd) {
			f.Add(uint16(i), s)
		}
	}
	for _, s := range []string{" *.Example.com. ", "a_b.c", "xn--bcher-kva.example", "ex ample.com", "Ⅻ.example",
		"file:///etc/hosts", "http://[::1]:80/", "http://h:port/", "HTTP://X", "4294967296", "fe80::1%eth0",
		"192.0.2.1/32", "192.0.2.7/255.255.255.0", "::", "1e3", "-0", "NaN", "0x10", "2026-02-29", "1700000000",
		"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "tlp: white", "YELLOW", "RIPE-NCC", "\u00a0x\u00a0", "ß", "ǅ", "İ", "dGVzdA==", "dGVzdA", "{}", "[]"} {
		for i := range fields {
			f.Add(uint16(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, i uint16, value string) {
		fd := fields[int(i)%len(fields)]
		if fd.Type == dho.TypeJSONDict {
			return
		}
		var e dho.Event
		if err := e.Set(fd.Name, value); err != nil || !e.Has(fd.Name) {
			return
		}
		for name, o := range flatOptions {
			if err := Validate(Event(), e.MarshalFlat(o)); err != nil {
				got, _ := e.Get(fd.Name)
				t.Fatalf("%s: dho accepts %q (stored as %#v) but the schema refuses its %s form: %v", fd.Name, value, got, name, err)
			}
		}
	})
}

func TestValidateConcurrently(t *testing.T) {
	docs := [][]byte{
		fullEvent(t).MarshalFlat(dho.FlatOptions{}),
		fullEvent(t).MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO}),
	}
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			var err error
			for j := 0; j < 20 && err == nil; j++ {
				err = Validate(Event(), docs[(i+j)%2])
			}
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	var e dho.Event
	for _, kv := range [][2]string{{"source.ip", "192.0.2.1"}, {"source.port", "443"}, {"classification.type", "scanner"},
		{"time.source", "2026-11-20T08:15:00Z"}, {"feed.name", "Example"}, {"extra.count", "3"}} {
		if err := e.Set(kv[0], kv[1]); err != nil {
			b.Fatal(err)
		}
	}
	doc, schema := e.MarshalFlat(dho.FlatOptions{}), Event()
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(schema, doc); err != nil {
			b.Fatal(err)
		}
	}
}
