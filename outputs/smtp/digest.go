package smtp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// DigestName is the digest output's node kind name.
const DigestName = "smtp-digest-output"

// DigestSpec is the node spec of the digest output: one mail per
// notification digest, what IntelMQ's smtp_batch output sends.
var DigestSpec = topology.Spec{
	Name: DigestName,
	Kind: topology.KindOutput,
	Doc:  "Mails each notification digest (the events grouped for one recipient) as one message: subject and body from Go text/templates chosen by the digest's template name, the events as a CSV attachment.",
	Params: append([]topology.Param{
		{Name: "mail_from", Type: topology.ParamString, Required: true, IntelMQ: "email_from", Doc: "Sender address (From and envelope).", Example: "CERT <cert@example.org>"},
		{Name: "subject", Type: topology.ParamString, Default: `Security events in your network ({{.First.Format "2006-01-02"}} to {{.Last.Format "2006-01-02"}})`, Doc: "Subject template of the default template; data: the dho.Digest."},
		{Name: "body", Type: topology.ParamString, Default: defaultDigestBody, IntelMQ: "mail_template", Doc: "Body template of the default template; data: the dho.Digest; field EVENT NAME gives a field's value."},
		{Name: "templates", Type: topology.ParamObject, Doc: `Further templates by name (a digest's Template): {"name": {"subject": "...", "body": "..."}}.`},
		{Name: "fieldnames", Type: topology.ParamStrings, Default: []string{"time.source", "source.ip", "source.port", "source.fqdn", "source.url", "source.asn", "classification.taxonomy", "classification.type", "classification.identifier", "malware.name", "protocol.transport"}, Doc: "Columns of the CSV attachment; empty for no attachment."},
		{Name: "fieldnames_translation", Type: topology.ParamObject, Doc: "Column headers to write instead of field names, field name to header."},
		{Name: "attachment_name", Type: topology.ParamString, Default: `events_{{.Created.Format "2006-01-02"}}.csv`, Doc: "File name template of the attachment."},
		{Name: "csv_delimiter", Type: topology.ParamString, Default: ",", Doc: "Field separator of the CSV attachment (one character)."},
		{Name: "bcc", Type: topology.ParamStrings, Doc: "Addresses that get a blind copy of every mail."},
		{Name: "testing_to", Type: topology.ParamString, Default: "", Doc: "Send every mail to this address instead of the digest's recipient (for trying templates)."},
	}, serverParams...),
}

const defaultDigestBody = `Dear network owner,

we have been informed of {{.Count}} security event(s) concerning your network
between {{.First.Format "2006-01-02 15:04"}} and {{.Last.Format "2006-01-02 15:04"}} UTC.
The attached CSV file lists them.

{{range .Events}}{{field . "time.source"}} {{field . "classification.type"}} {{field . "source.ip"}}
{{end}}`

func init() {
	topology.Register(DigestSpec, func(p topology.Params) (any, error) { return NewDigest(p) })
}

// mailTemplate is a subject and body template pair.
type mailTemplate struct{ subject, body *template.Template }

// The digest output is a topology output of digests (the notify expert's).
var _ topology.Output[dho.Digest] = (*DigestOutput)(nil)

// DigestOutput mails digests.
type DigestOutput struct {
	m          *mailer
	from       string
	fromAddr   string
	domain     string
	templates  map[string]mailTemplate
	fields     []string
	header     map[string]string
	attachName *template.Template
	sep        rune
	bcc        []string
	testingTo  []string
}

func digestErr(param string, err error) error {
	return &topology.ParamError{Node: DigestName, Param: param, Err: err}
}

// NewDigest builds the digest output from validated parameters.
func NewDigest(p topology.Params) (*DigestOutput, error) {
	m, err := newMailer(DigestName, p)
	if err != nil {
		return nil, err
	}
	o := &DigestOutput{m: m, templates: map[string]mailTemplate{}, header: map[string]string{}}
	env, hdr, err := addresses(p.String("mail_from"))
	if err != nil || len(env) != 1 {
		return nil, digestErr("mail_from", fmt.Errorf("want one address: %v", err))
	}
	o.from, o.fromAddr, o.domain = hdr[0], env[0], domainOf(env[0])
	def, err := parsePair(p.String("subject"), p.String("body"))
	if err != nil {
		return nil, digestErr("body", err)
	}
	o.templates[""] = def
	for name, v := range p.Object("templates") {
		pair, _ := v.(map[string]any)
		subject, _ := pair["subject"].(string)
		body, _ := pair["body"].(string)
		if subject == "" || body == "" {
			return nil, digestErr("templates", fmt.Errorf("%s: want an object with subject and body strings", name))
		}
		t, err := parsePair(subject, body)
		if err != nil {
			return nil, digestErr("templates", fmt.Errorf("%s: %w", name, err))
		}
		o.templates[name] = t
	}
	if o.fields = p.Strings("fieldnames"); checkFields(o.fields) != nil {
		return nil, digestErr("fieldnames", checkFields(o.fields))
	}
	for k, v := range p.Object("fieldnames_translation") {
		s, ok := v.(string)
		if !ok {
			return nil, digestErr("fieldnames_translation", fmt.Errorf("%s: %v is not a string", k, v))
		}
		o.header[k] = s
	}
	if o.attachName, err = parseTemplate("attachment_name", p.String("attachment_name")); err != nil {
		return nil, digestErr("attachment_name", err)
	}
	sep := []rune(p.String("csv_delimiter"))
	if len(sep) != 1 || sep[0] == '"' || sep[0] == '\n' || sep[0] == '\r' {
		return nil, digestErr("csv_delimiter", fmt.Errorf("%q: want one character, not a quote or line end", p.String("csv_delimiter")))
	}
	o.sep = sep[0]
	if bcc := p.Strings("bcc"); len(bcc) > 0 {
		if o.bcc, _, err = addresses(strings.Join(bcc, ",")); err != nil {
			return nil, digestErr("bcc", err)
		}
	}
	if t := p.String("testing_to"); t != "" {
		if o.testingTo, _, err = addresses(t); err != nil {
			return nil, digestErr("testing_to", err)
		}
	}
	return o, nil
}

func parsePair(subject, body string) (mailTemplate, error) {
	s, err := parseTemplate("subject", subject)
	if err != nil {
		return mailTemplate{}, err
	}
	b, err := parseTemplate("body", body)
	if err != nil {
		return mailTemplate{}, err
	}
	return mailTemplate{s, b}, nil
}

// Spec returns the node spec.
func (o *DigestOutput) Spec() topology.Spec { return DigestSpec }

// Message returns the mail of one digest: envelope recipients and the
// message's bytes.
func (o *DigestOutput) Message(d *dho.Digest) (envelope, error) {
	t, ok := o.templates[d.Template]
	if !ok {
		return envelope{}, fmt.Errorf("no template %q", d.Template)
	}
	to, toHdr, err := addresses(d.Recipient)
	if err != nil {
		return envelope{}, err
	}
	if o.testingTo != nil {
		to, toHdr = o.testingTo, o.testingTo
	}
	subject, err := execute(t.subject, d)
	if err != nil {
		return envelope{}, fmt.Errorf("subject: %w", err)
	}
	body, err := execute(t.body, d)
	if err != nil {
		return envelope{}, fmt.Errorf("body: %w", err)
	}
	msg := message{from: o.from, to: toHdr, subject: strings.TrimSpace(subject), date: d.Created, messageID: d.ID + "@" + o.domain, body: body}
	if len(o.fields) > 0 {
		events := make([]*dho.Event, len(d.Events))
		for i := range d.Events {
			events[i] = &d.Events[i]
		}
		name, err := execute(o.attachName, d)
		if err != nil {
			return envelope{}, fmt.Errorf("attachment_name: %w", err)
		}
		msg.attach = append(msg.attach, attachment{name: name, contentType: "text/csv", data: writeCSV(events, o.fields, o.header, o.sep)})
	}
	return envelope{from: o.fromAddr, to: append(to, o.bcc...), data: msg.build()}, nil
}

// Write mails each digest of the batch, one mail per digest, on one
// connection. A digest that cannot be rendered, or that the server refuses
// for good (5xx), fails alone; temporary failures are retried, then fail
// the batch as transient.
func (o *DigestOutput) Write(ctx context.Context, batch []*dho.Digest) error {
	envs := make([]envelope, len(batch))
	failed := map[int]error{}
	for i, d := range batch {
		env, err := o.Message(d)
		if err != nil {
			failed[i] = fmt.Errorf("digest %s: %w", d.ID, err)
			continue
		}
		envs[i] = env
	}
	return deliver(ctx, o.m, envs, failed)
}

// deliver sends the envelopes (skipping the failed ones) on one session.
func deliver(ctx context.Context, m *mailer, envs []envelope, failed map[int]error) error {
	s := &session{m: m}
	defer s.close()
	for i, env := range envs {
		if _, bad := failed[i]; bad {
			continue
		}
		if err := s.send(ctx, env); err != nil {
			if topology.IsTransient(err) || errors.Is(err, ctx.Err()) && ctx.Err() != nil {
				return err
			}
			failed[i] = err
		}
	}
	if len(failed) > 0 {
		return &topology.PartialError{Failed: failed}
	}
	return nil
}
