// Package outtest holds test helpers of the outputs: sample events and the
// check for a real service on this machine.
package outtest

import (
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
)

// Service skips the test when nothing listens on addr (a real PostgreSQL,
// Redis, RabbitMQ or Mosquitto), unless CI=true, where it fails instead.
func Service(t testing.TB, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not reachable on %s: %v", what, addr, err)
		}
		t.Skipf("%s is not reachable on %s: %v", what, addr, err)
	}
	c.Close()
}

// Base is the time of the first sample event.
var Base = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Events returns n distinct sample events with ids, one per minute from
// Base, each with single- and multi-valued fields and extra values.
func Events(t testing.TB, n int) []*dho.Event {
	t.Helper()
	out := make([]*dho.Event, n)
	for i := range out {
		e := &dho.Event{ID: fmt.Sprintf("01900000-0000-7000-8000-%012d", i)}
		set := func(name string, v any) {
			if err := e.Set(name, v); err != nil {
				t.Fatal(err)
			}
		}
		set("time.source", Base.Add(time.Duration(i)*time.Minute))
		set("time.observation", Base.Add(time.Duration(i)*time.Minute+time.Hour))
		set("feed.name", "Sample Feed")
		set("feed.provider", "Example Provider")
		set("classification.taxonomy", "malicious-code")
		set("classification.type", "infected-system")
		set("classification.identifier", "sinkhole")
		set("source.ip", []string{fmt.Sprintf("192.0.2.%d", i%250+1), fmt.Sprintf("2001:db8::%x", i+1)})
		set("source.asn", int64(64496+i%10))
		set("source.port", int64(1024+i))
		set("source.fqdn", []string{fmt.Sprintf("host%d.example.org", i)})
		set("source.abuse_contact", "abuse@example.net")
		set("source.network", "192.0.2.0/24")
		set("malware.name", []string{"mirai"})
		set("protocol.transport", "tcp")
		set("tlp", "AMBER")
		set("extra.count", int64(i))
		set("extra.note", "line \"quoted\"\tand tabbed")
		set("raw", []byte(fmt.Sprintf("raw line %d", i)))
		out[i] = e
	}
	return out
}
