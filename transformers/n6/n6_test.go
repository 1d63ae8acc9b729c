package n6

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
	"github.com/intelstream/intelstream/transformers"
	"github.com/intelstream/intelstream/transformers/transformertest"
)

// TestRoundTrip: generated DHO events → n6 JSON → DHO: every field not
// reported lost survives, and the losses are exactly the fields and values
// that did not (IPv6 addresses among them).
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	sawIPv6 := false
	for i := 0; i < 2000; i++ {
		orig := transformertest.Event(r)
		b, losses, err := AppendJSON(nil, orig)
		if err != nil {
			t.Fatalf("event %d (%s): %v", i, transformertest.Describe(orig), err)
		}
		back, backLosses, err := DecodeDHO(b)
		if err != nil {
			t.Fatalf("event %d: %s: %v", i, b, err)
		}
		if len(backLosses) > 0 {
			t.Errorf("event %d: reading our own n6 lost %v", i, backLosses)
		}
		for _, l := range losses {
			if l.Field == "source.ip" && strings.Contains(l.Value, ":") {
				sawIPv6 = true
			}
		}
		gained := []string{"classification.type", "classification.taxonomy", "time.source", "tlp", "feed.accuracy", "feed.code"}
		if orig.ID == "" {
			gained = append(gained, "id")
		}
		transformertest.CheckRoundTrip(t, orig, back, losses, gained...)
		if t.Failed() {
			t.Fatalf("event %d: %s\nn6: %s\nlosses: %v", i, transformertest.Describe(orig), b, losses)
		}
	}
	if !sawIPv6 {
		t.Error("no IPv6 address was reported lost")
	}
}

func TestEveryCategoryMaps(t *testing.T) {
	if len(Categories) != 27 || len(categoryType) != 27 {
		t.Fatalf("%d categories, %d mapped", len(Categories), len(categoryType))
	}
	for _, c := range Categories {
		if !taxonomy.IsType(categoryType[c]) {
			t.Errorf("n6 category %s maps to %q", c, categoryType[c])
		}
		raw := `{"id":"0123456789abcdef0123456789abcdef","source":"example.feed","restriction":"public","confidence":"high","category":"` + c + `","time":"2024-05-04T10:59:03Z"}`
		e, losses, err := DecodeDHO([]byte(raw), transformers.Strict())
		if err != nil || len(losses) > 0 {
			t.Fatalf("%s: %v %v", c, err, losses)
		}
		back, losses, err := FromDHO(e, transformers.Strict())
		if err != nil || back.Category != c {
			t.Errorf("%s came back as %q (%v %v)", c, back.Category, err, losses)
		}
	}
}

// TestOneEventPerReport: N addresses make one DHO event with N values;
// a differing AS number is a loss, not an extra event.
func TestOneEventPerReport(t *testing.T) {
	raw := `{"id":"392ab73bbe7bcd6a56c84af2234987a4","source":"hidden.42","restriction":"need-to-know","confidence":"medium","category":"bots",` +
		`"modified":"2024-05-04T11:45:27Z","time":"2024-05-04T10:59:03Z","address":[{"ip":"203.0.113.42","cc":"PL","asn":1234},` +
		`{"ip":"203.0.113.123","cc":"PL","asn":1234},{"ip":"203.0.113.7","cc":"PL","asn":4321}],"adip":"x.x.51.198","dport":22,"name":"avalanche-andromeda","origin":"sinkhole","proto":"tcp","sport":58362}`
	e, losses, err := DecodeDHO([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Source.IP) != 3 || *e.Source.ASN != 1234 || e.Source.Geolocation.CC != "PL" {
		t.Errorf("source %+v", e.Source)
	}
	if len(losses) != 1 || losses[0].Field != "address[2].asn" {
		t.Errorf("losses %v", losses)
	}
	if v, _ := e.Get("extra.n6.origin"); v.(dho.Value).Text() != "sinkhole" {
		t.Errorf("origin kept as %v", v)
	}
	if _, _, err := DecodeDHO([]byte(raw), transformers.Strict()); !errors.As(err, new(*transformers.LossError)) {
		t.Errorf("strict: %v", err)
	}
}

func TestIPv6IsLost(t *testing.T) {
	e := &dho.Event{}
	_ = e.Set("source.ip", []string{"2001:db8::1", "192.0.2.1"})
	_ = e.Set("destination.ip", "2001:db8::2")
	m, losses, err := FromDHO(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Address) != 1 || m.Address[0].IP != "192.0.2.1" || m.Dip != "" {
		t.Errorf("%+v", m)
	}
	if len(losses) != 2 || losses[0].Value != "2001:db8::1" || losses[1].Value != "2001:db8::2" {
		t.Errorf("losses %v", losses)
	}
}

func TestDecodeRefuses(t *testing.T) {
	base := `"id":"x","source":"a.b","restriction":"public","confidence":"low","time":"2024-01-01T00:00:00Z"`
	for _, raw := range []string{
		`{` + base + `,"category":"made-up"}`,
		`{` + base + `}`,
		`{` + base + `,"category":"bots","address":[{"ip":"2001:db8::1"}]}`,
		`{` + base + `,"category":"bots","sport":70000}`,
		`{` + base + `,"category":"bots","md5":"xyz"}`,
		`{` + base + `,"category":"bots","ID":"y"}`,
		`{` + base + `,"category":"bots"} {}`,
		`[]`,
	} {
		if _, err := Decode([]byte(raw)); err == nil {
			t.Errorf("accepted %s", raw)
		}
	}
}
