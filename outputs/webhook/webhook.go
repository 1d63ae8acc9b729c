// Package webhook is the webhook / REST output: events POSTed as JSON to an
// HTTP endpoint, one request per event or one JSON array per batch, the
// body either the event's flat JSON or rendered from a Go text/template,
// signed with HMAC-SHA256 when a secret is set. Every request carries an
// Idempotency-Key (the event id, or a hash of the batch's ids) so that a
// receiver can drop what a retry delivers twice.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"text/template"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "webhook-output"

// Spec is the node spec of the webhook output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Sends events as JSON to an HTTP endpoint (one request per event, or a JSON array per batch), the body from a template, signed with HMAC-SHA256; 429 and 5xx answers are retried, honouring Retry-After.",
	IntelMQ: "intelmq.bots.outputs.restapi.output",
	Params: []topology.Param{
		{Name: "host", Type: topology.ParamString, Required: true, Doc: "URL to send to.", Example: "https://hooks.example.org/intel"},
		{Name: "method", Type: topology.ParamString, Default: "POST", Enum: []string{"POST", "PUT", "PATCH"}, Doc: "HTTP method."},
		{Name: "batch", Type: topology.ParamBool, Default: false, Doc: "Send a batch as one JSON array instead of one request per event."},
		{Name: "template", Type: topology.ParamString, Default: "", Doc: "Go text/template of one event's JSON body; empty sends the event's flat JSON. Data: .Event (the dho.Event), .ID, .Flat (flat JSON); functions: field NAME (a field's value), json VALUE (a value as JSON)."},
		{Name: "hierarchical_output", Type: topology.ParamBool, Default: false, Doc: "Without template: nest the flat JSON by its dots, as IntelMQ's hierarchical output does."},
		{Name: "use_json", Type: topology.ParamBool, Default: true, Doc: "IntelMQ's switch between JSON and form bodies; only JSON here (must stay true)."},
		{Name: "auth_type", Type: topology.ParamString, Default: "", Enum: []string{"", "http_basic_auth", "http_header"}, Doc: "http_basic_auth: auth_token_name is the user, auth_token the password; http_header: header auth_token_name carries auth_token."},
		{Name: "auth_token_name", Type: topology.ParamString, Default: "", Doc: "User name, or the header name, see auth_type."},
		{Name: "auth_token", Type: topology.ParamString, Default: "", Doc: "Password or header value, see auth_type."},
		{Name: "hmac_secret", Type: topology.ParamString, Default: "", Doc: "Sign each body with HMAC-SHA256 under this secret; empty for no signature."},
		{Name: "signature_header", Type: topology.ParamString, Default: "X-Signature-256", Doc: "Header carrying the signature as sha256=<hex>; the signed message is the timestamp header's value, a dot and the body."},
		{Name: "timestamp_header", Type: topology.ParamString, Default: "X-Signature-Timestamp", Doc: "Header carrying the Unix time of the signature (the receiver refuses old ones, against replay)."},
		{Name: "headers", Type: topology.ParamObject, Doc: "Further request headers, name to value."},
		{Name: "retries", Type: topology.ParamInt, Default: 3, Doc: "Attempts per request within one batch on 429, 5xx and connection failures; then the batch fails as transient and the runtime retries it."},
		{Name: "timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Timeout of one request."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the server's TLS certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of CA certificates to trust."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output sends events to an HTTP endpoint.
type Output struct {
	url, method  string
	batch        bool
	tmpl         *template.Template
	hierarchical bool
	secret       []byte
	sigHeader    string
	tsHeader     string
	headers      http.Header
	retries      int
	backoff      time.Duration
	client       *http.Client
	now          func() time.Time
}

func paramErr(param string, err error) error {
	return &topology.ParamError{Node: Name, Param: param, Err: err}
}

// tmplData is what a template sees.
type tmplData struct {
	Event *dho.Event
	ID    string
	Flat  json.RawMessage
}

var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}

// New builds the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	u, err := url.Parse(p.String("host"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, paramErr("host", fmt.Errorf("%q is not an http(s) URL", p.String("host")))
	}
	if !p.Bool("use_json") {
		return nil, paramErr("use_json", errors.New("only JSON bodies are sent; set true"))
	}
	o := &Output{url: u.String(), method: p.String("method"), batch: p.Bool("batch"), hierarchical: p.Bool("hierarchical_output"),
		retries: int(p.Int("retries")), backoff: 200 * time.Millisecond, now: time.Now, headers: http.Header{}}
	if o.retries < 1 {
		return nil, paramErr("retries", fmt.Errorf("%d: want at least 1", o.retries))
	}
	if src := p.String("template"); src != "" {
		t, err := template.New("body").Funcs(funcs).Funcs(template.FuncMap{"field": func(string) any { return nil }}).Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, paramErr("template", err)
		}
		o.tmpl = t
	}
	if s := p.String("hmac_secret"); s != "" {
		o.secret = []byte(s)
		o.sigHeader, o.tsHeader = p.String("signature_header"), p.String("timestamp_header")
		if o.sigHeader == "" {
			return nil, paramErr("signature_header", errors.New("empty"))
		}
	}
	for k, v := range p.Object("headers") {
		s, ok := v.(string)
		if !ok {
			return nil, paramErr("headers", fmt.Errorf("%s: %v is not a string", k, v))
		}
		o.headers.Set(k, s)
	}
	name, token := p.String("auth_token_name"), p.String("auth_token")
	switch p.String("auth_type") {
	case "http_basic_auth":
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(name, token)
		o.headers.Set("Authorization", req.Header.Get("Authorization"))
	case "http_header":
		if name == "" {
			return nil, paramErr("auth_token_name", errors.New("http_header needs the header's name"))
		}
		o.headers.Set(name, token)
	}
	if o.client, err = outkit.HTTPClient(outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate")}, p.Duration("timeout")); err != nil {
		return nil, paramErr("ssl_ca_certificate", err)
	}
	return o, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close releases idle connections.
func (o *Output) Close() error { o.client.CloseIdleConnections(); return nil }

// render returns e's JSON body.
func (o *Output) render(e *dho.Event) ([]byte, error) {
	flat := e.AppendFlat(nil, dho.FlatOptions{OmitType: true})
	if o.tmpl == nil {
		if o.hierarchical {
			return outkit.Nest(flat)
		}
		return flat, nil
	}
	t, err := o.tmpl.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(template.FuncMap{"field": func(name string) any { v, _ := e.Get(name); return v }})
	var b bytes.Buffer
	if err := t.Execute(&b, tmplData{Event: e, ID: outkit.EventID(e), Flat: flat}); err != nil {
		return nil, err
	}
	if !json.Valid(b.Bytes()) {
		return nil, fmt.Errorf("the template gave no valid JSON: %.200s", b.Bytes())
	}
	return b.Bytes(), nil
}

// Write sends the batch. A body the template cannot render fails its
// event; a request refused with 4xx fails its events for good; 429, 5xx
// and connection failures are retried, then fail the batch as transient.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	failed := map[int]error{}
	bodies := make([][]byte, len(batch))
	for i, e := range batch {
		b, err := o.render(e)
		if err != nil {
			failed[i] = fmt.Errorf("rendering the body: %w", err)
			continue
		}
		bodies[i] = b
	}
	if o.batch {
		var body bytes.Buffer
		body.WriteByte('[')
		h := sha256.New()
		for i, b := range bodies {
			if b == nil {
				continue
			}
			if body.Len() > 1 {
				body.WriteByte(',')
			}
			body.Write(b)
			h.Write([]byte(outkit.EventID(batch[i])))
		}
		body.WriteByte(']')
		if body.Len() > 2 {
			if err := o.send(ctx, body.Bytes(), hex.EncodeToString(h.Sum(nil))); err != nil {
				if topology.IsTransient(err) || ctx.Err() != nil {
					return err
				}
				for i, b := range bodies {
					if b != nil {
						failed[i] = err
					}
				}
			}
		}
	} else {
		for i, b := range bodies {
			if b == nil {
				continue
			}
			if err := o.send(ctx, b, outkit.EventID(batch[i])); err != nil {
				if topology.IsTransient(err) || ctx.Err() != nil {
					// The ones sent before go again with the batch: the
					// Idempotency-Key lets the receiver drop them.
					return err
				}
				failed[i] = err
			}
		}
	}
	if len(failed) > 0 {
		return &topology.PartialError{Failed: failed}
	}
	return nil
}

// send sends one body, retrying what may pass.
func (o *Output) send(ctx context.Context, body []byte, key string) error {
	return outkit.Retry(ctx, o.retries, o.backoff, func() error {
		req, err := http.NewRequestWithContext(ctx, o.method, o.url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		for k, v := range o.headers {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		if o.secret != nil {
			ts := strconv.FormatInt(o.now().Unix(), 10)
			req.Header.Set(o.tsHeader, ts)
			req.Header.Set(o.sigHeader, Sign(o.secret, ts, body))
		}
		resp, err := o.client.Do(req)
		if err != nil {
			return outkit.TransportError(ctx, err)
		}
		defer resp.Body.Close()
		return outkit.CheckResponse(resp)
	})
}

// Sign returns the signature header's value for body sent at timestamp:
// sha256= and the hex HMAC-SHA256 under secret of "timestamp.body". A
// receiver computes the same and compares with hmac.Equal.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
