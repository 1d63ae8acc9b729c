package idea

import (
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
	"github.com/intelstream/intelstream/schemas/jsonschema"
	"github.com/intelstream/intelstream/transformers"
	"github.com/intelstream/intelstream/transformers/transformertest"
)

func schema(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/idea0.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip: generated DHO events → IDEA JSON (valid by IDEA's
// schema) → DHO: every field not reported lost survives, and the losses
// are exactly the fields and values that did not.
func TestRoundTrip(t *testing.T) {
	sch := schema(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		orig := transformertest.Event(r)
		b, losses, err := AppendJSON(nil, orig)
		if err != nil {
			t.Fatalf("event %d (%s): %v", i, transformertest.Describe(orig), err)
		}
		if err := jsonschema.Validate(sch, b); err != nil {
			t.Fatalf("event %d: %s\nrefused by IDEA's schema: %v", i, b, err)
		}
		back, backLosses, err := DecodeDHO(b)
		if err != nil {
			t.Fatalf("event %d: %s: %v", i, b, err)
		}
		if len(backLosses) > 0 {
			t.Errorf("event %d: reading our own IDEA lost %v", i, backLosses)
		}
		gained := []string{"classification.type", "classification.taxonomy", "time.observation"}
		if orig.ID == "" {
			gained = append(gained, "id")
		}
		transformertest.CheckRoundTrip(t, orig, back, losses, gained...)
		if t.Failed() {
			t.Fatalf("event %d: %s\nIDEA: %s\nlosses: %v", i, transformertest.Describe(orig), b, losses)
		}
	}
}

// TestIDEARoundTrip: an IDEA message with every key → DHO → IDEA gives the
// same message back, nothing lost.
func TestIDEARoundTrip(t *testing.T) {
	raw := `{"Format":"IDEA0","ID":"ev-2024.07_11","AltNames":["rt#1234"],"CorrelID":["a1"],"AggrID":["a2"],"PredID":["a3"],"RelID":["a4","a5"],` +
		`"CreateTime":"2024-07-11T10:00:02Z","DetectTime":"2024-07-11T10:00:07.25Z","EventTime":"2024-07-11T07:36:00Z","CeaseTime":"2024-07-11T09:55:22Z",` +
		`"WinStartTime":"2024-07-11T05:00:00Z","WinEndTime":"2024-07-11T10:00:00Z","ConnCount":20,"FlowCount":40,"PacketCount":400,"ByteCount":40000,` +
		`"Category":["Recon.Searching"],"Ref":["https://example.org/advisory","urn:cve:CVE-2021-44228","urn:example:x"],"Confidence":0.5,` +
		`"Description":"Searches","Note":"long note",` +
		`"Source":[{"Type":["OriginSandbox"],"Hostname":["bad.example.com"],"IP4":["192.0.2.1","192.0.2.0/28"],"MAC":["00:11:22:33:44:55"],"IP6":["2001:db8::1"],` +
		`"Port":[80],"Proto":["tcp","http"],"URL":["http://bad.example.com/x"],"Email":["x@example.com"],"AttachHand":["att1"],"Note":"src","Spoofed":false,"Imprecise":true,"Anonymised":false,` +
		`"ASN":[64496],"Router":["r1"],"Netname":["ripe:EXAMPLE-NET"],"Ref":["urn:x:y"]}],` +
		`"Target":[{"IP4":["198.51.100.7"],"Port":[8080],"Proto":["tcp","http"]}],` +
		`"Attach":[{"Handle":"att1","FileName":["a.exe"],"Type":["Malware"],"Hash":["md5:0123456789abcdef0123456789abcdef","crc32:deadbeef"],"Size":42,"ContentType":"application/octet-stream"}],` +
		`"Node":[{"Name":"org.example.honeypot","Type":["Honeypot"],"SW":["Dionaea"],"AggrWin":"00:05:00","Note":"node note"}]}`
	e, losses, err := DecodeDHO([]byte(raw))
	if err != nil || len(losses) > 0 {
		t.Fatalf("to DHO: %v, losses %v", err, losses)
	}
	if v, _ := e.Get("extra.idea.source.spoofed"); v.(dho.Value).Kind() != dho.KindBool {
		t.Errorf("Spoofed kept as %v, not a boolean", v)
	}
	if v, _ := e.Get("extra.idea.rel_id"); v.(dho.Value).Kind() != dho.KindList {
		t.Errorf("RelID kept as %v, not a list", v)
	}
	b, losses, err := AppendJSON(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	// What DHO holds natively comes back in IDEA's order of its own keys.
	for _, l := range losses {
		if l.Field != "raw" {
			t.Errorf("back to IDEA lost %v", l)
		}
	}
	m1, _ := Decode([]byte(raw))
	m2, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := m1.AppendJSON(nil)
	z, _ := m2.AppendJSON(nil)
	if norm(a) != norm(z) {
		t.Errorf("IDEA → DHO → IDEA changed the message:\n%s\n%s", a, z)
	}
	if err := jsonschema.Validate(schema(t), b); err != nil {
		t.Error(err)
	}
}

// norm puts the Ref list in a fixed order: DHO gives the description URL
// first.
func norm(b []byte) string {
	s := string(b)
	return strings.Replace(s, `"Ref":["https://example.org/advisory","urn:cve:CVE-2021-44228","urn:example:x"]`, "REF", 1)
}

func TestEveryCategoryMaps(t *testing.T) {
	for _, c := range Categories {
		typ, tax, ok := classOf([]string{c})
		if !ok || (typ == "" && tax == "") {
			t.Errorf("IDEA category %s maps to no DHO classification", c)
			continue
		}
		if typ != "" && !taxonomy.IsType(typ) || !taxonomy.IsTaxonomy(tax) {
			t.Errorf("IDEA category %s maps to (%q, %q), not in DHO's taxonomy", c, typ, tax)
		}
	}
	for _, typ := range taxonomy.Types() {
		c, ok := typeCategory[typ.Name]
		if !ok || !IsCategory(c) {
			t.Errorf("DHO type %s maps to %q", typ.Name, c)
		}
	}
	for _, tax := range taxonomy.Taxonomies() {
		if c := taxonomyCategory[tax]; !IsCategory(c) {
			t.Errorf("DHO taxonomy %s maps to %q", tax, c)
		}
	}
	if len(categoryClass) != len(Categories) {
		t.Errorf("%d categories mapped, %d known", len(categoryClass), len(Categories))
	}
}

func TestLossesAndStrict(t *testing.T) {
	e := &dho.Event{}
	for k, v := range map[string]any{
		"classification.type": "tor", "source.ip": "192.0.2.1", "source.geolocation.cc": "PL",
		"event_description.url": "https://example.org/x", "product.vulnerabilities": []string{"cve-2021-44228", "bad id"},
		"source.tor_node": false, "source.account": "root",
	} {
		if err := e.Set(k, v); err != nil {
			t.Fatal(k, err)
		}
	}
	m, losses, err := FromDHO(e)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"classification.type", "product.vulnerabilities", "source.account", "source.geolocation.cc", "source.tor_node"}
	got := losses.Fields()
	for _, w := range want {
		if !losses.Has(w) {
			t.Errorf("no loss reported for %s (losses %v)", w, losses)
		}
	}
	if len(got) != len(want) {
		t.Errorf("losses %v, want exactly %v", got, want)
	}
	if len(m.Ref) != 2 || m.Ref[1] != "urn:cve:CVE-2021-44228" {
		t.Errorf("Ref = %q", m.Ref)
	}
	_, _, err = FromDHO(e, transformers.Strict())
	var le *transformers.LossError
	if !errors.As(err, &le) || len(le.Losses) != len(losses) {
		t.Errorf("strict: %v", err)
	}
}

// TestIDs: an event without id gets one; an IDEA ID that is no UUID
// (any [A-Za-z0-9._-]) travels in extra and comes back; a bad ID is an
// error, not a crash.
func TestIDs(t *testing.T) {
	m, _, err := FromDHO(&dho.Event{})
	if err != nil || !reID.MatchString(m.ID) || m.DetectTime == nil || len(m.Category) != 1 {
		t.Fatalf("%+v %v", m, err)
	}
	for _, id := range []string{"abc", "A1B2C3D4-0000-4000-8000-000000000000", "x.y_z-1"} {
		raw := `{"Format":"IDEA0","ID":"` + id + `","DetectTime":"2024-01-01 00:00:00","Category":["Test"]}`
		e, losses, err := DecodeDHO([]byte(raw))
		if err != nil || len(losses) > 0 {
			t.Fatalf("%s: %v %v", id, err, losses)
		}
		m, _, err := FromDHO(e)
		if err != nil || m.ID != id {
			t.Errorf("ID %q came back as %q (%v)", id, m.ID, err)
		}
	}
	for _, raw := range []string{
		`{"Format":"IDEA0","ID":"a b","DetectTime":"2024-01-01T00:00:00Z","Category":["Test"]}`,
		`{"Format":"IDEA0","ID":12,"DetectTime":"2024-01-01T00:00:00Z","Category":["Test"]}`,
		`{"Format":"IDEA0","ID":"x","DetectTime":"2024-01-01T00:00:00Z","Category":["Made.Up"]}`,
		`{"Format":"IDEA0","ID":"x","DetectTime":"2024-01-01T00:00:00Z","Category":["Test"],"RelID":"y"}`,
		`{"Format":"IDEA1","ID":"x","DetectTime":"2024-01-01T00:00:00Z","Category":["Test"]}`,
		`{"Format":"IDEA0","ID":"x","Category":["Test"]}`,
	} {
		if _, _, err := DecodeDHO([]byte(raw)); err == nil {
			t.Errorf("accepted %s", raw)
		}
	}
}
