package notify_test

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/statetest"
	"github.com/intelstream/intelstream/processors/experts/notify"
	"github.com/intelstream/intelstream/topology"
)

// clock is a settable time for the expert.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newExpert(t *testing.T, raw map[string]any, c *clock) *notify.Expert {
	t.Helper()
	p, err := notify.Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	x, err := notify.New(p)
	if err != nil {
		t.Fatal(err)
	}
	x.SetClock(c.now)
	return x
}

func ev(t *testing.T, contact, ip string, extra map[string]any) *dho.Event {
	fields := map[string]any{"classification.type": "scanner", "source.ip": ip, "time.source": t0.Add(-time.Hour)}
	if contact != "" {
		fields["source.abuse_contact"] = contact
	}
	for k, v := range extra {
		fields[k] = v
	}
	return statetest.Event(t, fields)
}

func newEnv(t *testing.T) *statetest.Env {
	env := statetest.New(t)
	env.SourceOpts = []topology.NodeOption{topology.KeyBy(notify.KeyByRecipient(nil))}
	return env
}

// byRecipient indexes digests, failing on two for one recipient.
func byRecipient(t *testing.T, ds []*dho.Digest) map[string]*dho.Digest {
	t.Helper()
	out := map[string]*dho.Digest{}
	for _, d := range ds {
		if out[d.Recipient] != nil {
			t.Errorf("two digests for %s", d.Recipient)
		}
		out[d.Recipient] = d
	}
	return out
}

func ips(d *dho.Digest) string {
	var l []string
	for _, e := range d.Events {
		l = append(l, e.Source.IP[0])
	}
	return strings.Join(l, " ")
}

// TestDigestPerRecipient: events of three networks, one without any
// contact and one not to be notified; the groups survive a restart and
// are sent when their interval is over.
func TestDigestPerRecipient(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []topology.RunOption
	}{{"disk", nil}, {"memory", []topology.RunOption{topology.WithMemoryState()}}, {"exactly-once", []topology.RunOption{topology.ExactlyOnce()}}} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			env.Opts = append(env.Opts, tc.opts...)
			digestPerRecipient(t, env)
		})
	}
}

func digestPerRecipient(t *testing.T, env *statetest.Env) {
	c := &clock{}
	c.set(t0)
	params := map[string]any{"interval": "1h"}
	off := false
	in := []*dho.Event{
		ev(t, "abuse@a.example", "192.0.2.1", nil),
		ev(t, "abuse@b.example", "198.51.100.1", nil),
		ev(t, "Abuse@A.example", "192.0.2.2", nil), // the same recipient, other case
		ev(t, "", "203.0.113.9", nil),              // no recipient: unrouted
		ev(t, "abuse@b.example", "198.51.100.2", map[string]any{"notification.enabled": off}),
		ev(t, "abuse@a.example", "192.0.2.3", map[string]any{"notification.recipient": "cert@c.example, soc@c.example"}),
	}
	// Within the interval nothing is sent; the restart keeps the groups.
	env.RunDigests(newExpert(t, params, c), in, 0, 400*time.Millisecond)
	if n := len(env.Digests()); n != 0 {
		t.Fatalf("%d digests before the interval ended", n)
	}
	c.advance(61 * time.Minute)
	env.RunDigests(newExpert(t, params, c), nil, 3, 300*time.Millisecond)
	got := byRecipient(t, env.Digests())
	if len(got) != 3 {
		t.Fatalf("digests for %v, want 3 recipients", slices.Collect(func(yield func(string) bool) {
			for r := range got {
				if !yield(r) {
					return
				}
			}
		}))
	}
	a := got["abuse@a.example"]
	if a == nil || a.Count != 2 || ips(a) != "192.0.2.1 192.0.2.2" || !a.First.Equal(t0.Add(-time.Hour)) || a.ID == "" {
		t.Errorf("digest of a: %+v", a)
	}
	if b := got["abuse@b.example"]; b == nil || b.Count != 1 || ips(b) != "198.51.100.1" {
		t.Errorf("digest of b (the disabled event left out): %+v", b)
	}
	if cc := got["cert@c.example, soc@c.example"]; cc == nil || cc.Count != 1 {
		t.Errorf("digest of c (notification.recipient wins): %+v", cc)
	}
	side := env.Side(notify.UnroutedOutput)
	if len(side) != 1 {
		t.Fatalf("%d unrouted records, want 1", len(side))
	}
	if reason, _ := side[0].Header(topology.HeaderDLQReason); !strings.Contains(string(reason), "no recipient") {
		t.Errorf("unrouted reason %q", reason)
	}
}

// TestMaxEventsSendsFullDigests: a group that reaches max_events is sent at
// once; the rest waits for its interval.
func TestMaxEventsSendsFullDigests(t *testing.T) {
	env := newEnv(t)
	c := &clock{}
	c.set(t0)
	params := map[string]any{"interval": "1h", "max_events": 2}
	var in []*dho.Event
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
		in = append(in, ev(t, "abuse@a.example", ip, nil))
	}
	env.RunDigests(newExpert(t, params, c), in, 2, 300*time.Millisecond)
	c.advance(2 * time.Hour)
	env.RunDigests(newExpert(t, params, c), nil, 3, 300*time.Millisecond)
	var sizes []string
	for _, d := range env.Digests() {
		sizes = append(sizes, ips(d))
	}
	if strings.Join(sizes, "|") != "192.0.2.1 192.0.2.2|192.0.2.3 192.0.2.4|192.0.2.5" {
		t.Errorf("digests %q", sizes)
	}
}

// TestSuppressionAndGrouping: with a time to live an equal event is not
// notified twice; group_by splits a recipient's events; an event's
// notification.interval shortens its group's wait.
func TestSuppressionAndGrouping(t *testing.T) {
	env := newEnv(t)
	c := &clock{}
	c.set(t0)
	params := map[string]any{"interval": "1h", "ttl": "24h", "group_by": "classification.type"}
	var ten int64 = 600
	in := []*dho.Event{
		ev(t, "abuse@a.example", "192.0.2.1", nil),
		ev(t, "abuse@a.example", "192.0.2.1", nil), // equal: suppressed
		ev(t, "abuse@a.example", "192.0.2.1", map[string]any{"classification.type": "malware-distribution"}),
		ev(t, "abuse@b.example", "198.51.100.1", map[string]any{"notification.interval": ten}),
	}
	env.RunDigests(newExpert(t, params, c), in, 0, 300*time.Millisecond)
	c.advance(11 * time.Minute) // b's 10 minutes are over, a's hour is not
	env.RunDigests(newExpert(t, params, c), nil, 1, 300*time.Millisecond)
	if ds := env.Digests(); len(ds) != 1 || ds[0].Recipient != "abuse@b.example" {
		t.Fatalf("after 11 minutes: %d digests, want b's only", len(ds))
	}
	c.advance(time.Hour)
	// The same scanner again, after its digest went out but within the
	// time to live: suppressed.
	env.RunDigests(newExpert(t, params, c), in[:1], 3, 300*time.Millisecond)
	ds := env.Digests()
	if len(ds) != 3 {
		t.Fatalf("%d digests, want 3 (b, a/scanner, a/malware-distribution)", len(ds))
	}
	types := map[string]int64{}
	for _, d := range ds[1:] {
		if d.Recipient != "abuse@a.example" || len(d.Events) != 1 {
			t.Errorf("digest %+v", d)
			continue
		}
		types[d.Events[0].Classification.Type] += d.Count
	}
	if types["scanner"] != 1 || types["malware-distribution"] != 1 {
		t.Errorf("counts by type %v, want one each (the repeat suppressed)", types)
	}
}

func TestBadParameters(t *testing.T) {
	for _, tc := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"interval": "0s"}, "interval"},
		{map[string]any{"max_events": 0}, "max_events"},
		{map[string]any{"recipient_fields": "nope.field"}, `"nope.field" is no DHO field`},
		{map[string]any{"suppress_fields": ""}, "suppress_fields: no fields given"},
		{map[string]any{"ttl": "-1s"}, "ttl"},
	} {
		p, err := notify.Spec.Validate(tc.raw)
		if err == nil {
			_, err = notify.New(p)
		}
		var pe *topology.ParamError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &pe) {
			t.Errorf("%v: %v, want a parameter error with %q", tc.raw, err, tc.want)
		}
	}
}
