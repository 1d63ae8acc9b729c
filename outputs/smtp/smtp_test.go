package smtp

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func serverParamsFor(s *mailServer) map[string]any {
	return map[string]any{"smtp_host": "127.0.0.1", "smtp_port": s.port(), "ssl_ca_certificate": s.caFile, "smtp_username": "bot", "smtp_password": "pw"}
}

func newDigestOutput(t testing.TB, s *mailServer, raw map[string]any) *DigestOutput {
	t.Helper()
	base := serverParamsFor(s)
	base["mail_from"] = "CERT Example <cert@example.org>"
	for k, v := range raw {
		base[k] = v
	}
	p, err := DigestSpec.Validate(base)
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewDigest(p)
	if err != nil {
		t.Fatal(err)
	}
	o.m.backoff = time.Millisecond
	return o
}

func digest(t testing.TB, id, recipient, tmpl string, events []*dho.Event) *dho.Digest {
	d := &dho.Digest{ID: id, Recipient: recipient, Template: tmpl, Created: time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC),
		First: *events[0].Time.Source, Last: *events[len(events)-1].Time.Source, Count: int64(len(events))}
	for _, e := range events {
		d.Events = append(d.Events, *e)
	}
	return d
}

func TestDigestMail(t *testing.T) {
	s := newMailServer(t, "bot", "pw")
	o := newDigestOutput(t, s, map[string]any{
		"templates": map[string]any{"de": map[string]any{
			"subject": `Sicherheitsvorfälle: {{.Count}}`,
			"body":    "Guten Tag,\n{{range .Events}}- {{field . \"source.ip\"}} ({{field . \"classification.type\"}})\n{{end}}",
		}},
		"fieldnames_translation": map[string]any{"time.source": "time_detected", "source.ip": "ip"},
		"bcc":                    "archive@example.org",
	})
	events := outtest.Events(t, 3)
	batch := []*dho.Digest{
		digest(t, "0195a000-0000-7000-8000-000000000001", "abuse@example.net", "", events),
		digest(t, "0195a000-0000-7000-8000-000000000002", "Net Owner <noc@example.com>, abuse@example.com", "de", events[:2]),
	}
	if err := o.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	got := s.received()
	if len(got) != 2 {
		t.Fatalf("%d mails, want 2", len(got))
	}
	if got[0].from != "cert@example.org" || strings.Join(got[0].to, " ") != "abuse@example.net archive@example.org" ||
		strings.Join(got[1].to, " ") != "noc@example.com abuse@example.com archive@example.org" {
		t.Errorf("envelopes: %+v %+v", got[0].to, got[1].to)
	}
	if len(s.authed) == 0 {
		t.Error("no AUTH")
	}
	outtest.Golden(t, "digest-default.eml", got[0].data, *update)
	outtest.Golden(t, "digest-de.eml", got[1].data, *update)
}

func TestDigestFailuresAreThatDigestsOnly(t *testing.T) {
	s := newMailServer(t, "bot", "pw")
	s.rcptErr["gone@example.net"] = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	o := newDigestOutput(t, s, nil)
	events := outtest.Events(t, 2)
	batch := []*dho.Digest{
		digest(t, "d1", "ok@example.net", "", events),
		digest(t, "d2", "gone@example.net", "", events),
		digest(t, "d3", "ok@example.net", "nosuch", events),
		digest(t, "d4", "not an address", "", events),
		digest(t, "d5", "ok2@example.net", "", events),
	}
	err := o.Write(context.Background(), batch)
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 3 || pe.Failed[1] == nil || pe.Failed[2] == nil || pe.Failed[3] == nil {
		t.Fatalf("got %v, want digests 1, 2 and 3 failed", err)
	}
	if !strings.Contains(pe.Failed[1].Error(), "550") || !strings.Contains(pe.Failed[2].Error(), `no template "nosuch"`) {
		t.Errorf("reasons: %v", pe.Failed)
	}
	if n := len(s.received()); n != 2 {
		t.Errorf("%d mails, want 2", n)
	}
}

func TestTemporaryAnswersAreRetried(t *testing.T) {
	s := newMailServer(t, "bot", "pw")
	s.dataErr = []*gosmtp.SMTPError{{Code: 451, Message: "try again later"}, {Code: 421, Message: "closing"}}
	o := newDigestOutput(t, s, nil)
	if err := o.Write(context.Background(), []*dho.Digest{digest(t, "d1", "a@example.net", "", outtest.Events(t, 1))}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.received()); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
	s.dataErr = []*gosmtp.SMTPError{{Code: 452, Message: "full"}, {Code: 452, Message: "full"}, {Code: 452, Message: "full"}}
	if err := o.Write(context.Background(), []*dho.Digest{digest(t, "d2", "a@example.net", "", outtest.Events(t, 1))}); !topology.IsTransient(err) {
		t.Errorf("retries exhausted: %v, want transient", err)
	}
}

func TestTLSAndAuthSettings(t *testing.T) {
	s := newMailServer(t, "bot", "pw")
	e := outtest.Events(t, 1)
	for _, tc := range []struct {
		raw map[string]any
		ok  bool
	}{
		{map[string]any{}, true},
		{map[string]any{"smtp_password": "wrong"}, false},
		{map[string]any{"ssl_ca_certificate": ""}, false}, // unknown CA
		{map[string]any{"ssl_ca_certificate": "", "http_verify_cert": false}, true},
		{map[string]any{"starttls": false, "smtp_username": ""}, false}, // the server wants AUTH
	} {
		o := newDigestOutput(t, s, tc.raw)
		o.m.retries = 1
		err := o.Write(context.Background(), []*dho.Digest{digest(t, "d", "a@example.net", "", e)})
		if (err == nil) != tc.ok {
			t.Errorf("%v: %v", tc.raw, err)
		}
	}
}

func TestEventMailIntelMQCompatible(t *testing.T) {
	s := newMailServer(t, "bot", "pw")
	base := serverParamsFor(s)
	base["subject"] = "Incident in your AS {ev[source.asn]}: {ev[classification.type]}"
	base["mail_to"] = "{ev[source.abuse_contact]},soc@example.org"
	p, err := EventSpec.Validate(base)
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewEvent(p)
	if err != nil {
		t.Fatal(err)
	}
	o.now = func() time.Time { return time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC) }
	events := outtest.Events(t, 2)
	events[1].Source.AbuseContact = ""
	err = o.Write(context.Background(), events)
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[1] == nil {
		t.Fatalf("got %v, want event 1 failed (no recipient)", err)
	}
	got := s.received()
	if len(got) != 1 || got[0].from != "cert@localhost" || strings.Join(got[0].to, ",") != "abuse@example.net,soc@example.org" {
		t.Fatalf("mails: %+v", got)
	}
	outtest.Golden(t, "event.eml", got[0].data, *update)
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{"mail_from": "a@b, c@d"}, "mail_from"},
		{map[string]any{"body": "{{.Nope"}, "body"},
		{map[string]any{"templates": map[string]any{"x": "y"}}, "templates"},
		{map[string]any{"fieldnames": "source.ip,nosuch"}, "fieldnames"},
		{map[string]any{"csv_delimiter": ";;"}, "csv_delimiter"},
		{map[string]any{"ssl": true}, "starttls"},
		{map[string]any{"smtp_port": 0}, "smtp_port"},
		{map[string]any{"bcc": "not an address"}, "bcc"},
		{map[string]any{"retries": 0}, "retries"},
	} {
		raw := map[string]any{"mail_from": "cert@example.org"}
		for k, v := range tc.raw {
			raw[k] = v
		}
		p, err := DigestSpec.Validate(raw)
		if err == nil {
			_, err = NewDigest(p)
		}
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%v: got %v, want an error for parameter %s", tc.raw, err, tc.param)
		}
	}
}

// The server drops connections in the middle of DATA and goes away for a
// while: every mail arrives. Mail has no deduplication at the server; the
// Message-ID (the event id) stays the same across retries, so receivers
// can drop repeats, and the test counts distinct ids.
func TestFaultServerGoesAway(t *testing.T) {
	s := newMailServer(t, "bot", "pw")
	base := serverParamsFor(s)
	p, err := EventSpec.Validate(base)
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewEvent(p)
	if err != nil {
		t.Fatal(err)
	}
	o.m.backoff = time.Millisecond
	s.dropData = 2
	s.dataErr = []*gosmtp.SMTPError{{Code: 421, Message: "shutting down"}, {Code: 451, Message: "later"}, {Code: 451, Message: "later"}, {Code: 451, Message: "later"}}
	events := outtest.Events(t, 60)
	ids := func() int {
		seen := map[string]bool{}
		for _, m := range s.received() {
			for _, line := range strings.Split(string(m.data), "\r\n") {
				if id, ok := strings.CutPrefix(line, "Message-ID: "); ok {
					seen[id] = true
				}
			}
		}
		return len(seen)
	}
	go func() {
		for ids() < 20 {
			time.Sleep(5 * time.Millisecond)
		}
		// Gone for 200ms, then back on the same port.
		addr := s.addr
		s.srv.Close()
		time.Sleep(200 * time.Millisecond)
		s.srv = s.newServer()
		s.start(t, addr)
	}()
	outtest.Run(t, events, o, func() bool { return ids() == len(events) }, 60*time.Second, topology.Batch(10, 10*time.Millisecond))
	if n := ids(); n != len(events) {
		t.Errorf("%d distinct mails, want %d", n, len(events))
	}
}
