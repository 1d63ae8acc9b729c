// Package elasticsearch is the Elasticsearch / OpenSearch output: events
// indexed with the bulk API, one document per event under the event's id
// (op_type create, so a re-delivered event is not indexed twice), in a
// fixed index or one per day (week, month, year) of the event's time, with
// an index template generated from DHO's field types.
//
// A bulk answer reports each item: items refused with 429 or 5xx are sent
// again (with backoff) within the same Write, items refused for their
// content (4xx: a mapping conflict, a document too large) are reported in a
// *topology.PartialError and go to the dead-letter topic. Nothing is
// dropped.
package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/pyjson"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "elasticsearch-output"

// Spec is the node spec of the Elasticsearch output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Indexes events into Elasticsearch or OpenSearch with the bulk API, one document per event id, per-day (week, month, year) indexes, an index template from DHO's field types; refused items are retried or dead-lettered, never dropped.",
	IntelMQ: "intelmq.bots.outputs.elasticsearch.output",
	Params: []topology.Param{
		{Name: "url", Type: topology.ParamString, Doc: "Base URL of the cluster, e.g. https://es.example.org:9200; overrides elastic_host, elastic_port and use_ssl."},
		{Name: "elastic_host", Type: topology.ParamString, Default: "127.0.0.1", Doc: "Host of the cluster."},
		{Name: "elastic_port", Type: topology.ParamInt, Default: 9200, Doc: "Port of the cluster."},
		{Name: "use_ssl", Type: topology.ParamBool, Default: false, Doc: "Speak HTTPS."},
		{Name: "elastic_index", Type: topology.ParamString, Default: "intelmq", Doc: "Index name, or the prefix of the rotated index names."},
		{Name: "rotate_index", Type: topology.ParamString, Default: "never", Enum: []string{"never", "daily", "weekly", "monthly", "yearly"}, Doc: "One index per day, ISO week, month or year of the event's time.source (else time.observation): elastic_index-2026-03-14 for daily."},
		{Name: "index_pattern", Type: topology.ParamString, Default: "", Doc: "Index name pattern with %Y %m %d %G %V %H from the event's time, e.g. events-%Y.%m.%d; overrides elastic_index and rotate_index."},
		{Name: "http_username", Type: topology.ParamString, Default: "", Doc: "User for HTTP basic authentication."},
		{Name: "http_password", Type: topology.ParamString, Default: "", Doc: "Password for HTTP basic authentication."},
		{Name: "api_key", Type: topology.ParamString, Default: "", Doc: "API key (the base64 id:key form), sent as Authorization: ApiKey."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the server's TLS certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of the CA certificates to trust."},
		{Name: "replacement_char", Type: topology.ParamString, Default: "", Doc: "Replace the dots of field names with this (for clusters that refuse dotted names); empty keeps them, and Elasticsearch reads them as object paths."},
		{Name: "flatten_fields", Type: topology.ParamStrings, Default: []string{"extra"}, Doc: "IntelMQ's fields whose JSON is flattened into NAME.key fields: only extra, which is always flattened."},
		{Name: "format", Type: topology.ParamString, Default: "dho", Enum: []string{"dho", "intelmq"}, Doc: "Document form: dho (every DHO field under its own name) or intelmq (IntelMQ's fields; DHO-only ones under extra.dho)."},
		{Name: "template", Type: topology.ParamBool, Default: true, Doc: "Install (overwrite) the index template intelstream-<elastic_index> for the output's indexes before the first batch."},
		{Name: "bulk_max_bytes", Type: topology.ParamInt, Default: 5 << 20, Doc: "Largest bulk request body; a batch is split into several requests above it."},
		{Name: "item_retries", Type: topology.ParamInt, Default: 3, Doc: "How often items refused with 429 or 5xx are sent again within one batch before the batch fails as transient (the runtime then retries it)."},
		{Name: "timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Timeout of one HTTP request."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output indexes event batches.
type Output struct {
	base        string
	auth        func(*http.Request)
	client      *http.Client
	index       indexNamer
	replacement string
	flat        dho.FlatOptions
	maxBytes    int
	retries     int
	backoff     time.Duration

	template     []byte
	templateName string
	installed    bool
	mu           sync.Mutex
}

func paramErr(param string, err error) error {
	return &topology.ParamError{Node: Name, Param: param, Err: err}
}

// New builds the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	base := p.String("url")
	if base == "" {
		scheme := "http"
		if p.Bool("use_ssl") {
			scheme = "https"
		}
		if port := p.Int("elastic_port"); port < 1 || port > 65535 {
			return nil, paramErr("elastic_port", fmt.Errorf("%d is not a port", port))
		}
		base = fmt.Sprintf("%s://%s", scheme, netJoin(p.String("elastic_host"), p.Int("elastic_port")))
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, paramErr("url", fmt.Errorf("%q is not an http(s) URL", base))
	}
	o := &Output{base: strings.TrimRight(base, "/"), replacement: p.String("replacement_char"), backoff: 100 * time.Millisecond}
	pattern := p.String("index_pattern")
	if pattern == "" && p.String("rotate_index") != "never" {
		pattern = p.String("elastic_index") + "-" + rotations[p.String("rotate_index")]
	}
	if o.index, err = newIndexNamer(p.String("elastic_index"), pattern); err != nil {
		if p.String("index_pattern") != "" {
			return nil, paramErr("index_pattern", err)
		}
		return nil, paramErr("elastic_index", err)
	}
	if strings.ContainsAny(o.replacement, `"\`) {
		return nil, paramErr("replacement_char", errors.New("may not contain a quote or backslash"))
	}
	if ff := p.Strings("flatten_fields"); len(ff) > 1 || (len(ff) == 1 && ff[0] != "extra") {
		return nil, paramErr("flatten_fields", fmt.Errorf("%v: only extra can be flattened", ff))
	}
	if o.maxBytes = int(p.Int("bulk_max_bytes")); o.maxBytes < 1024 {
		return nil, paramErr("bulk_max_bytes", fmt.Errorf("%d: want at least 1024", o.maxBytes))
	}
	if o.retries = int(p.Int("item_retries")); o.retries < 0 {
		return nil, paramErr("item_retries", fmt.Errorf("%d is negative", o.retries))
	}
	o.flat = dho.FlatOptions{Mode: dho.FlatDHO, OmitType: true}
	if p.String("format") == "intelmq" {
		o.flat.Mode = dho.FlatIntelMQ
	}
	if o.client, err = outkit.HTTPClient(outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate")}, p.Duration("timeout")); err != nil {
		return nil, paramErr("ssl_ca_certificate", err)
	}
	user, pass, key := p.String("http_username"), p.String("http_password"), p.String("api_key")
	switch {
	case key != "" && user != "":
		return nil, paramErr("api_key", errors.New("give either api_key or http_username, not both"))
	case key != "":
		o.auth = func(r *http.Request) { r.Header.Set("Authorization", "ApiKey "+key) }
	case user != "":
		o.auth = func(r *http.Request) { r.SetBasicAuth(user, pass) }
	default:
		o.auth = func(*http.Request) {}
	}
	if p.Bool("template") {
		prefix := p.String("elastic_index")
		if pi := p.String("index_pattern"); pi != "" {
			prefix, _, _ = strings.Cut(pi, "%")
		}
		o.templateName = "intelstream-" + strings.Trim(prefix, "-_.")
		if o.template, err = IndexTemplate([]string{prefix + "*"}, o.replacement); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func netJoin(host string, port int64) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.FormatInt(port, 10)
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close releases idle connections.
func (o *Output) Close() error { o.client.CloseIdleConnections(); return nil }

// Write indexes the batch and returns when the cluster confirmed every
// document (or refused it for good).
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	if err := o.installTemplate(ctx); err != nil {
		return err
	}
	docs := make([][]byte, len(batch))
	for i, e := range batch {
		d, err := o.encode(e)
		if err != nil {
			return err
		}
		docs[i] = d
	}
	pending := make([]int, len(batch))
	for i := range pending {
		pending[i] = i
	}
	failed := map[int]error{}
	wait := o.backoff
	for attempt := 0; ; attempt++ {
		var retry []int
		var lastErr error
		for len(pending) > 0 {
			n := o.fit(docs, pending)
			again, err := o.bulk(ctx, docs, pending[:n], failed)
			if err != nil {
				return err
			}
			if len(again) > 0 {
				retry = append(retry, again...)
				lastErr = fmt.Errorf("%d items refused for now, e.g. %w", len(again), failedErr(again[0], failed))
			}
			pending = pending[n:]
		}
		for _, i := range retry {
			delete(failed, i)
		}
		if len(retry) == 0 {
			break
		}
		if attempt >= o.retries {
			// The runtime retries the whole batch; items already indexed
			// answer 409 then and count as done.
			return topology.Transient(lastErr)
		}
		if err := outkit.Sleep(ctx, wait); err != nil {
			return err
		}
		wait *= 2
		pending = retry
	}
	if len(failed) > 0 {
		return &topology.PartialError{Failed: failed}
	}
	return nil
}

func failedErr(i int, failed map[int]error) error {
	if err := failed[i]; err != nil {
		return err
	}
	return errors.New("refused")
}

// encode returns the action line and the document of e.
func (o *Output) encode(e *dho.Event) ([]byte, error) {
	b := append(make([]byte, 0, 1024), `{"create":{"_index":`...)
	b = pyjson.AppendString(b, string(o.index.name(e, nil)), false)
	b = append(b, `,"_id":`...)
	b = pyjson.AppendString(b, outkit.EventID(e), false)
	b = append(b, "}}\n"...)
	if o.replacement == "" {
		b = e.AppendFlat(b, o.flat)
	} else {
		doc, err := replaceDots(e.AppendFlat(nil, o.flat), o.replacement)
		if err != nil {
			return nil, err
		}
		b = append(b, doc...)
	}
	return append(b, '\n'), nil
}

// replaceDots rewrites the top-level keys of a flat JSON object.
func replaceDots(doc []byte, repl string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[strings.ReplaceAll(k, ".", repl)] = v
	}
	return json.Marshal(out)
}

// fit returns how many of the pending documents fit one bulk request (at
// least one).
func (o *Output) fit(docs [][]byte, pending []int) int {
	size := 0
	for n, i := range pending {
		size += len(docs[i])
		if size > o.maxBytes && n > 0 {
			return n
		}
	}
	return len(pending)
}

// bulkResponse is the answer of _bulk.
type bulkResponse struct {
	Errors bool                          `json:"errors"`
	Items  []map[string]bulkItemResponse `json:"items"`
}

type bulkItemResponse struct {
	Index  string          `json:"_index"`
	ID     string          `json:"_id"`
	Status int             `json:"status"`
	Error  json.RawMessage `json:"error"`
}

// bulk sends the documents idx in one request. Items refused for good go
// into failed; it returns the items to send again.
func (o *Output) bulk(ctx context.Context, docs [][]byte, idx []int, failed map[int]error) ([]int, error) {
	var body bytes.Buffer
	for _, i := range idx {
		body.Write(docs[i])
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base+"/_bulk", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	o.auth(req)
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, outkit.TransportError(ctx, err)
	}
	defer resp.Body.Close()
	if err := outkit.CheckResponse(resp); err != nil {
		var se *outkit.StatusError
		if errors.As(err, &se) && se.RetryAfter > 0 && topology.IsTransient(err) {
			if serr := outkit.Sleep(ctx, min(se.RetryAfter, 30*time.Second)); serr != nil {
				return nil, serr
			}
		}
		return nil, err
	}
	var br bulkResponse
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		return nil, topology.Transient(fmt.Errorf("reading the bulk answer: %w", err))
	}
	if len(br.Items) != len(idx) {
		return nil, topology.Transient(fmt.Errorf("bulk answer has %d items for %d documents", len(br.Items), len(idx)))
	}
	var again []int
	for n, item := range br.Items {
		var r bulkItemResponse
		for _, r = range item { // one key: the action
		}
		switch {
		case r.Status >= 200 && r.Status <= 299, r.Status == http.StatusConflict:
			// Created, or there already (an earlier delivery): done.
		case outkit.RetryableStatus(r.Status):
			again = append(again, idx[n])
			failed[idx[n]] = fmt.Errorf("index %s: status %d: %s", r.Index, r.Status, r.Error)
		default:
			failed[idx[n]] = fmt.Errorf("index %s: status %d: %s", r.Index, r.Status, r.Error)
		}
	}
	io.Copy(io.Discard, resp.Body)
	return again, nil
}

// installTemplate puts the index template once; a failure is transient
// (the cluster may be starting) except a refusal of the template itself.
func (o *Output) installTemplate(ctx context.Context) error {
	if o.template == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.installed {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, o.base+"/_index_template/"+url.PathEscape(o.templateName), bytes.NewReader(o.template))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	o.auth(req)
	resp, err := o.client.Do(req)
	if err != nil {
		return outkit.TransportError(ctx, err)
	}
	defer resp.Body.Close()
	if err := outkit.CheckResponse(resp); err != nil {
		if topology.IsTransient(err) {
			return err
		}
		return fmt.Errorf("installing index template %s: %w", o.templateName, err)
	}
	o.installed = true
	return nil
}
