// Package transformertest holds what the transformers' tests share: a
// seeded generator of DHO events over the fields the transformers map and
// many they do not, and the round-trip check (DHO → format → DHO: every
// field not reported lost survives, every reported loss is a field or value
// of the original that did not survive).
package transformertest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
	"github.com/intelstream/intelstream/transformers"
)

// Event returns a random DHO event: each field is set with some
// probability to a random valid value.
func Event(r *rand.Rand) *dho.Event {
	e := &dho.Event{}
	maybe := func(name string, v any) {
		if r.IntN(3) > 0 {
			if err := e.Set(name, v); err != nil {
				panic(fmt.Sprintf("generator: %s=%v: %v", name, v, err))
			}
		}
	}
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	times := func() time.Time {
		return time.UnixMicro(1_600_000_000_000_000 + r.Int64N(200_000_000_000_000)).UTC()
	}
	types := taxonomy.Types()
	if r.IntN(6) > 0 {
		t := types[r.IntN(len(types))]
		maybe("classification.type", t.Name)
		if r.IntN(4) > 0 {
			_ = e.Set("classification.taxonomy", t.Taxonomy)
		}
	} else {
		maybe("classification.taxonomy", taxonomy.Taxonomies()[r.IntN(len(taxonomy.Taxonomies()))])
	}
	if r.IntN(2) == 0 {
		id, _ := uuid.NewRandomFromReader(randReader{r})
		maybe("id", id.String())
	}
	maybe("time.observation", times())
	maybe("time.source", times())
	maybe("comment", pick("seen twice", "Zugriff verweigert — ü", "note with \"quotes\""))
	maybe("event_description.text", pick("SSH brute force", "Open resolver", "Défacement"))
	maybe("event_description.url", pick("https://example.org/a", "http://example.com/x?y=1"))
	maybe("event_description.target", pick("Example Bank", "Example.com Inc."))
	maybe("feed.accuracy", float64(r.IntN(10001))/100)
	maybe("feed.code", pick("honeypot", "cert_feed", "example.feed", "feed-with-dash"))
	maybe("feed.name", pick("Honeypot SSH", "Spam Sources"))
	maybe("feed.provider", pick("Example CERT", "Shadowserver"))
	maybe("product.vulnerabilities", slices.Compact(sortedSample(r, "cve-2021-44228", "cve-2017-0144", "ms17-010")))
	maybe("malware.hash.md5", hex(r, 32))
	maybe("malware.hash.sha1", hex(r, 40))
	maybe("malware.hash.sha256", hex(r, 64))
	maybe("malware.name", pick("zeus", "mirai"))
	maybe("protocol.transport", pick("tcp", "udp", "icmp"))
	maybe("protocol.application", pick("http", "ssh", "dns", "smtp"))
	maybe("tlp", pick("WHITE", "GREEN", "AMBER", "RED"))
	maybe("severity", pick("high", "low"))
	maybe("status", pick("online", "offline"))
	maybe("tags", []string{"campaign-1"})
	maybe("rtir_id", int64(r.IntN(1000)))
	maybe("extra.note", pick("a", "b"))
	maybe("extra.count", int64(r.IntN(50)))
	for _, side := range []string{"source", "destination"} {
		maybe(side+".ip", ips(r))
		maybe(side+".port", []int64{int64(r.IntN(65536)), int64(r.IntN(65536))})
		maybe(side+".fqdn", pick("example.com", "www.example.org", "mail.example.net"))
		maybe(side+".url", pick("http://example.com/mal.exe", "https://example.org/login"))
		maybe(side+".asn", int64(r.IntN(400000)+1))
		maybe(side+".account", pick("user@example.com", "admin"))
		maybe(side+".geolocation.cc", pick("PL", "CZ", "DE"))
		maybe(side+".reverse_dns", pick("host.example.com", "a.example.net"))
		maybe(side+".tor_node", r.IntN(2) == 0)
		maybe(side+".network", pick("192.0.2.0/24", "2001:db8::/32"))
	}
	return e
}

func ips(r *rand.Rand) []string {
	n := 1 + r.IntN(3)
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if r.IntN(4) == 0 {
			out = append(out, fmt.Sprintf("2001:db8::%x", r.IntN(65535)+1))
		} else {
			out = append(out, fmt.Sprintf("198.51.100.%d", r.IntN(254)+1))
		}
	}
	return out
}

func hex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

func sortedSample(r *rand.Rand, vals ...string) []string {
	var out []string
	for _, v := range vals {
		if r.IntN(2) == 0 {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		out = vals[:1]
	}
	return out
}

type randReader struct{ r *rand.Rand }

func (rr randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(rr.r.IntN(256))
	}
	return len(p), nil
}

// CheckRoundTrip checks a DHO → format → DHO conversion: every field of
// orig that losses does not name survives in back with the same value
// (for a field lost value by value, exactly the other values survive);
// every field losses names was set in orig and did not survive as it was;
// and back holds no field orig did not, except those in gained (fields a
// format requires and the conversion fills in). The values of a
// multi-valued field compare as a set: DHO drops repeated values, and
// formats that split addresses by family (IDEA's IP4 and IP6) cannot keep
// their order across families.
func CheckRoundTrip(t testing.TB, orig, back *dho.Event, losses transformers.Losses, gained ...string) {
	t.Helper()
	lostWhole := map[string]bool{}
	lostValues := map[string][]string{}
	for _, l := range losses {
		if !orig.Has(l.Field) {
			t.Errorf("loss %q names a field the event does not have", l)
		}
		if l.Value != "" {
			lostValues[l.Field] = append(lostValues[l.Field], l.Value)
		} else {
			lostWhole[l.Field] = true
		}
	}
	orig.Range(func(name string, want any) bool {
		got, ok := back.Get(name)
		switch {
		case lostWhole[name]:
			if ok && reflect.DeepEqual(got, want) {
				t.Errorf("%s reported lost but survived as %v", name, got)
			}
		case lostValues[name] != nil:
			kept := remove(want, lostValues[name])
			if !reflect.DeepEqual(sorted(got), sorted(kept)) && !(kept == nil && !ok) {
				t.Errorf("%s: %v survived, want %v (the rest of %v after losing %v)", name, got, kept, want, lostValues[name])
			}
		default:
			if !ok || !reflect.DeepEqual(sorted(got), sorted(want)) {
				t.Errorf("%s: %v (set %v) came back as %v (set %v), and no loss was reported", name, want, true, got, ok)
			}
		}
		return true
	})
	back.Range(func(name string, v any) bool {
		if !orig.Has(name) && !slices.Contains(gained, name) {
			t.Errorf("%s = %v appeared from nowhere", name, v)
		}
		return true
	})
}

// sorted returns a sorted copy of a multi-valued field's values, other
// values as they are.
func sorted(v any) any {
	switch vs := v.(type) {
	case []string:
		return slices.Sorted(slices.Values(vs))
	case []int64:
		return slices.Sorted(slices.Values(vs))
	}
	return v
}

// remove returns the values of a multi-valued field without lost ones, nil
// for none.
func remove(vals any, lost []string) any {
	switch vs := vals.(type) {
	case []string:
		out := slices.DeleteFunc(slices.Clone(vs), func(v string) bool { return slices.Contains(lost, v) })
		if len(out) == 0 {
			return nil
		}
		return out
	case []int64:
		out := slices.DeleteFunc(slices.Clone(vs), func(v int64) bool { return slices.Contains(lost, fmt.Sprint(v)) })
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return vals
}

// Describe renders an event's set fields for failure messages.
func Describe(e *dho.Event) string {
	var b strings.Builder
	e.Range(func(name string, v any) bool {
		fmt.Fprintf(&b, "%s=%v ", name, v)
		return true
	})
	return b.String()
}
