// Package splunk is the Splunk HTTP Event Collector output: events sent to
// /services/collector/event as concatenated JSON event objects, token
// authentication, and, when the token has indexer acknowledgement on, a
// channel and polling of /services/collector/ack until Splunk confirms
// the batch was indexed.
package splunk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "splunk-output"

// Spec is the node spec of the Splunk HEC output.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindOutput,
	Doc:  "Sends events to Splunk's HTTP Event Collector, batched; with indexer acknowledgement a batch counts as delivered only once Splunk confirms it was indexed.",
	Params: []topology.Param{
		{Name: "url", Type: topology.ParamString, Required: true, Doc: "Base URL of the collector, e.g. https://splunk.example.org:8088.", Example: "https://splunk.example.org:8088"},
		{Name: "token", Type: topology.ParamString, Required: true, Doc: "HEC token (sent as Authorization: Splunk <token>)."},
		{Name: "index", Type: topology.ParamString, Default: "", Doc: "Index; empty for the token's default."},
		{Name: "source", Type: topology.ParamString, Default: "intelstream", Doc: "source of the events."},
		{Name: "sourcetype", Type: topology.ParamString, Default: "intelmq:event", Doc: "sourcetype of the events."},
		{Name: "host", Type: topology.ParamString, Default: "", Doc: "host of the events; empty leaves it to Splunk."},
		{Name: "format", Type: topology.ParamString, Default: "intelmq", Enum: []string{"intelmq", "dho"}, Doc: "Event form: IntelMQ's flat JSON or DHO's (every field under its own name)."},
		{Name: "ack", Type: topology.ParamBool, Default: false, Doc: "The token has indexer acknowledgement on: send on a channel and wait for Splunk's acknowledgements."},
		{Name: "channel", Type: topology.ParamString, Default: "", Doc: "Channel id (a GUID); empty makes one per output."},
		{Name: "ack_timeout", Type: topology.ParamDuration, Default: "2m", Doc: "How long to wait for an acknowledgement before the batch is sent again."},
		{Name: "ack_interval", Type: topology.ParamDuration, Default: "1s", Doc: "How often to poll for acknowledgements."},
		{Name: "max_bytes", Type: topology.ParamInt, Default: 1 << 20, Doc: "Largest request body (Splunk's max_content_length); a batch is split above it."},
		{Name: "retries", Type: topology.ParamInt, Default: 3, Doc: "Attempts per request on 429, 503 and connection failures before the batch fails as transient."},
		{Name: "timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Timeout of one request."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the collector's TLS certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of CA certificates to trust."},
		{Name: "ssl_client_certificate", Type: topology.ParamString, Default: "", Doc: "Client certificate (PEM), when the collector requires one."},
		{Name: "ssl_client_key", Type: topology.ParamString, Default: "", Doc: "The client certificate's key (PEM)."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output sends events to a HEC endpoint.
type Output struct {
	base, token, channel    string
	meta                    []byte // the event objects' fields before "event"
	flat                    dho.FlatOptions
	ack                     bool
	ackTimeout, ackInterval time.Duration
	maxBytes, retries       int
	backoff                 time.Duration
	client                  *http.Client
	mu                      sync.Mutex
}

// New builds the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	u, err := url.Parse(p.String("url"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("url", fmt.Errorf("%q is not an http(s) URL", p.String("url")))
	}
	if p.String("token") == "" {
		return nil, bad("token", errors.New("empty"))
	}
	o := &Output{base: strings.TrimRight(u.String(), "/"), token: p.String("token"), ack: p.Bool("ack"), ackTimeout: p.Duration("ack_timeout"),
		ackInterval: p.Duration("ack_interval"), maxBytes: int(p.Int("max_bytes")), retries: int(p.Int("retries")), backoff: 200 * time.Millisecond,
		flat: dho.FlatOptions{OmitType: true}}
	if p.String("format") == "dho" {
		o.flat.Mode = dho.FlatDHO
	}
	if o.maxBytes < 1024 {
		return nil, bad("max_bytes", fmt.Errorf("%d: want at least 1024", o.maxBytes))
	}
	if o.retries < 1 {
		return nil, bad("retries", fmt.Errorf("%d: want at least 1", o.retries))
	}
	if o.ackInterval <= 0 {
		return nil, bad("ack_interval", errors.New("not positive"))
	}
	o.channel = p.String("channel")
	if o.channel == "" {
		o.channel = uuid.NewString()
	} else if _, err := uuid.Parse(o.channel); err != nil {
		return nil, bad("channel", fmt.Errorf("%q is not a GUID", o.channel))
	}
	var meta bytes.Buffer
	for _, k := range []string{"host", "index", "source", "sourcetype"} {
		if v := p.String(k); v != "" {
			b, _ := json.Marshal(v)
			fmt.Fprintf(&meta, `"%s":%s,`, k, b)
		}
	}
	o.meta = meta.Bytes()
	if o.client, err = outkit.HTTPClient(outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate"),
		CertFile: p.String("ssl_client_certificate"), KeyFile: p.String("ssl_client_key")}, p.Duration("timeout")); err != nil {
		return nil, bad("ssl_ca_certificate", err)
	}
	return o, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close releases idle connections.
func (o *Output) Close() error { o.client.CloseIdleConnections(); return nil }

// eventObject returns one HEC event object: time (seconds, from
// time.source, else time.observation, else left to Splunk), the metadata
// and the event.
func (o *Output) eventObject(e *dho.Event) []byte {
	b := append(make([]byte, 0, 1024), '{')
	t := e.Time.Source
	if t == nil {
		t = e.Time.Observation
	}
	if t != nil {
		b = append(b, `"time":`...)
		b = strconv.AppendFloat(b, float64(t.UnixMicro())/1e6, 'f', 3, 64)
		b = append(b, ',')
	}
	b = append(b, o.meta...)
	b = append(b, `"event":`...)
	b = e.AppendFlat(b, o.flat)
	return append(b, '}')
}

// answer is HEC's response body.
type answer struct {
	Text    string `json:"text"`
	Code    int    `json:"code"`
	AckID   *int64 `json:"ackId"`
	Invalid *int   `json:"invalid-event-number"`
}

// Write sends the batch in requests of at most max_bytes and, with ack
// on, waits until Splunk acknowledged each. An event HEC refuses for its
// format fails alone (the others are sent again without it); 429, 503 and
// connection failures are retried, then fail the batch as transient.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	objs := make([][]byte, len(batch))
	for i, e := range batch {
		objs[i] = o.eventObject(e)
	}
	failed := map[int]error{}
	var acks []int64
	pending := make([]int, len(batch))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		n, size := 0, 0
		for n < len(pending) && (n == 0 || size+len(objs[pending[n]]) <= o.maxBytes) {
			size += len(objs[pending[n]])
			n++
		}
		chunk := pending[:n]
		ackID, bad, err := o.post(ctx, objs, chunk)
		switch {
		case err != nil && bad < 0:
			return err
		case err != nil:
			// One event refused for its content: it fails, the rest of
			// the chunk goes again.
			failed[chunk[bad]] = err
			pending = append(append([]int(nil), chunk[:bad]...), pending[bad+1:]...)
			continue
		}
		if ackID != nil {
			acks = append(acks, *ackID)
		}
		pending = pending[n:]
	}
	if o.ack && len(acks) > 0 {
		if err := o.waitAcks(ctx, acks); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return &topology.PartialError{Failed: failed}
	}
	return nil
}

// post sends the events idx in one request. It returns the ack id, or an
// error with the index (in idx) of the event HEC refused, -1 when the
// refusal is the request's.
func (o *Output) post(ctx context.Context, objs [][]byte, idx []int) (*int64, int, error) {
	var body bytes.Buffer
	for _, i := range idx {
		body.Write(objs[i])
	}
	var ans answer
	err := outkit.Retry(ctx, o.retries, o.backoff, func() error {
		var err error
		ans, err = o.do(ctx, "/services/collector/event", body.Bytes())
		return err
	})
	if err != nil {
		if ans.Code == 6 && ans.Invalid != nil && *ans.Invalid >= 0 && *ans.Invalid < len(idx) && len(idx) > 1 {
			return nil, *ans.Invalid, err
		}
		if ans.Code == 6 && len(idx) == 1 {
			return nil, 0, err
		}
		return nil, -1, err
	}
	if o.ack && ans.AckID == nil {
		return nil, -1, errors.New("indexer acknowledgement is on, but the collector gave no ackId (is it on for the token?)")
	}
	return ans.AckID, 0, nil
}

// do sends one request and reads HEC's answer; errors carry HEC's text
// and code.
func (o *Output) do(ctx context.Context, path string, body []byte) (answer, error) {
	var ans answer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base+path, bytes.NewReader(body))
	if err != nil {
		return ans, err
	}
	req.Header.Set("Authorization", "Splunk "+o.token)
	req.Header.Set("Content-Type", "application/json")
	if o.ack {
		req.Header.Set("X-Splunk-Request-Channel", o.channel)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return ans, outkit.TransportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
			return ans, topology.Transient(fmt.Errorf("reading the collector's answer: %w", err))
		}
		return ans, nil
	}
	cerr := outkit.CheckResponse(resp) // classifies 429/5xx as transient
	var se *outkit.StatusError
	if errors.As(cerr, &se) && json.Unmarshal([]byte(se.Body), &ans) == nil && ans.Text != "" {
		herr := fmt.Errorf("HEC %d (code %d): %s", resp.StatusCode, ans.Code, ans.Text)
		if topology.IsTransient(cerr) {
			return ans, topology.Transient(&outkit.StatusError{Code: se.Code, Body: herr.Error(), RetryAfter: se.RetryAfter})
		}
		return ans, herr
	}
	return ans, cerr
}

// waitAcks polls the ack endpoint until every id is acknowledged; a
// timeout fails the batch as transient (it is sent again).
func (o *Output) waitAcks(ctx context.Context, ids []int64) error {
	deadline := time.Now().Add(o.ackTimeout)
	for {
		body, _ := json.Marshal(map[string][]int64{"acks": ids})
		var got struct {
			Acks map[string]bool `json:"acks"`
		}
		err := outkit.Retry(ctx, o.retries, o.backoff, func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base+"/services/collector/ack?channel="+url.QueryEscape(o.channel), bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Splunk "+o.token)
			req.Header.Set("X-Splunk-Request-Channel", o.channel)
			resp, err := o.client.Do(req)
			if err != nil {
				return outkit.TransportError(ctx, err)
			}
			defer resp.Body.Close()
			if err := outkit.CheckResponse(resp); err != nil {
				return err
			}
			return json.NewDecoder(resp.Body).Decode(&got)
		})
		if err != nil {
			if !topology.IsTransient(err) && ctx.Err() == nil {
				return topology.Transient(fmt.Errorf("polling acknowledgements: %w", err))
			}
			return err
		}
		var left []int64
		for _, id := range ids {
			if !got.Acks[strconv.FormatInt(id, 10)] {
				left = append(left, id)
			}
		}
		if ids = left; len(ids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return topology.Transient(fmt.Errorf("%d acknowledgements still missing after %s", len(ids), o.ackTimeout))
		}
		if err := outkit.Sleep(ctx, o.ackInterval); err != nil {
			return err
		}
	}
}

var _ topology.Output[dho.Event] = (*Output)(nil)
