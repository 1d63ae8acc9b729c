// Package smtp holds the mail outputs: smtp-output mails each event (what
// IntelMQ's smtp output does), smtp-digest-output mails each notification
// digest, the events grouped for one recipient (what IntelMQ's smtp_batch
// output does). Both build MIME messages (a text part and a CSV
// attachment) and send them with SMTP (STARTTLS or implicit TLS, AUTH
// PLAIN); 4xx answers and lost connections are retried, 5xx answers fail
// the mail for good.
package smtp

import (
	"context"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// EventName is the event output's node kind name.
const EventName = "smtp-output"

// EventSpec is the node spec of the per-event mail output.
var EventSpec = topology.Spec{
	Name:    EventName,
	Kind:    topology.KindOutput,
	Doc:     "Mails each event: sender, recipients, subject and text from templates (IntelMQ's {ev[field]} references or Go templates), the chosen fields as a semicolon-separated CSV attachment events.csv.",
	IntelMQ: "intelmq.bots.outputs.smtp.output",
	Params: append([]topology.Param{
		{Name: "mail_from", Type: topology.ParamString, Default: "cert@localhost", Doc: "Sender template."},
		{Name: "mail_to", Type: topology.ParamString, Default: "{ev[source.abuse_contact]}", Doc: "Recipients template: comma-separated addresses."},
		{Name: "subject", Type: topology.ParamString, Default: "Incident in your AS {ev[source.asn]}", Doc: "Subject template."},
		{Name: "text", Type: topology.ParamString, Default: "Dear network owner,\n\nWe have been informed that the following device might have security problems.\n\nYour localhost CERT", Doc: "Body template; data: .Event; {ev[NAME]} or {{field .Event \"NAME\"}} give a field's value."},
		{Name: "fieldnames", Type: topology.ParamStrings, Default: []string{"classification.taxonomy", "classification.type", "classification.identifier", "source.ip", "source.asn", "source.port"}, Doc: "Columns of the CSV attachment; empty for none."},
	}, serverParams...),
}

func init() {
	topology.Register(EventSpec, func(p topology.Params) (any, error) { return NewEvent(p) })
}

// EventOutput mails each event.
type EventOutput struct {
	m                       *mailer
	from, to, subject, text *template.Template
	fields                  []string
	now                     func() time.Time
}

// NewEvent builds the per-event output from validated parameters.
func NewEvent(p topology.Params) (*EventOutput, error) {
	m, err := newMailer(EventName, p)
	if err != nil {
		return nil, err
	}
	o := &EventOutput{m: m, now: time.Now}
	for _, t := range []struct {
		param string
		dst   **template.Template
	}{{"mail_from", &o.from}, {"mail_to", &o.to}, {"subject", &o.subject}, {"text", &o.text}} {
		if *t.dst, err = parseTemplate(t.param, p.String(t.param)); err != nil {
			return nil, &topology.ParamError{Node: EventName, Param: t.param, Err: err}
		}
	}
	if o.fields = p.Strings("fieldnames"); checkFields(o.fields) != nil {
		return nil, &topology.ParamError{Node: EventName, Param: "fieldnames", Err: checkFields(o.fields)}
	}
	return o, nil
}

// Spec returns the node spec.
func (o *EventOutput) Spec() topology.Spec { return EventSpec }

// Message returns the mail of one event.
func (o *EventOutput) Message(e *dho.Event) (envelope, error) {
	data := struct{ Event *dho.Event }{e}
	var parts [4]string
	for i, t := range []*template.Template{o.from, o.to, o.subject, o.text} {
		s, err := execute(t, data)
		if err != nil {
			return envelope{}, err
		}
		parts[i] = s
	}
	from, fromHdr, err := addresses(parts[0])
	if err != nil || len(from) != 1 {
		return envelope{}, fmt.Errorf("mail_from %q: want one address", parts[0])
	}
	to, toHdr, err := addresses(parts[1])
	if err != nil {
		return envelope{}, err
	}
	msg := message{from: fromHdr[0], to: toHdr, subject: strings.TrimSpace(parts[2]), date: o.now(),
		messageID: outkit.EventID(e) + "@" + domainOf(from[0]), body: parts[3]}
	if len(o.fields) > 0 {
		msg.attach = []attachment{{name: "events.csv", contentType: "text/csv", data: writeCSV([]*dho.Event{e}, o.fields, nil, ';')}}
	}
	return envelope{from: from[0], to: to, data: msg.build()}, nil
}

// Write mails each event of the batch on one connection (see
// DigestOutput.Write for the failure handling).
func (o *EventOutput) Write(ctx context.Context, batch []*dho.Event) error {
	envs := make([]envelope, len(batch))
	failed := map[int]error{}
	for i, e := range batch {
		env, err := o.Message(e)
		if err != nil {
			failed[i] = err
			continue
		}
		envs[i] = env
	}
	return deliver(ctx, o.m, envs, failed)
}

var _ topology.Output[dho.Event] = (*EventOutput)(nil)
