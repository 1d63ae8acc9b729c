// Package shadowserverapi is the Shadowserver reports API collector, as
// IntelMQ's: it asks the API for the list of reports of the last days
// (a request signed with HMAC-SHA256 of its body, keyed by the API
// secret, in the HMAC2 header, as Shadowserver's API documents), then
// downloads each report it has not sent yet. Each report carries the
// file's name in extra.file_name, from which the Shadowserver parser
// detects the report type.
package shadowserverapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/processors/collectors/internal/memo"
	"github.com/intelstream/intelstream/processors/collectors/internal/schedule"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "shadowserver-api-collector"

// The API's addresses (those IntelMQ uses).
const (
	DefaultAPIURL      = "https://transform.shadowserver.org/api2/"
	DefaultDownloadURL = "https://dl.shadowserver.org/"
)

// Spec is the node spec of the Shadowserver reports API collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Lists the reports of the last days with Shadowserver's reports API (signed requests) and downloads each one not sent yet: " +
		"raw is the report (CSV), extra.file_name its file name.",
	IntelMQ: "intelmq.bots.collectors.shadowserver.collector_reports_api",
	Params: slices.Concat([]topology.Param{
		{Name: "api_key", Type: topology.ParamString, IntelMQ: "apikey", Required: true, Doc: "Your Shadowserver API key."},
		{Name: "secret", Type: topology.ParamString, Required: true, Doc: "Your Shadowserver API secret: it signs the requests (HMAC-SHA256)."},
		{Name: "reports", Type: topology.ParamStrings, Doc: "The mailing lists (report names) to fetch, e.g. your country or organisation; empty: all of them."},
		{Name: "country", Type: topology.ParamString, Doc: "Deprecated in IntelMQ: one more entry of reports."},
		{Name: "types", Type: topology.ParamStrings, Doc: "Keep only reports of these types (e.g. scan_http, event4_sinkhole); empty: every type."},
		{Name: "days", Type: topology.ParamInt, Default: 2, Doc: "List the reports from this many days before today up to today (UTC), as IntelMQ does with 2."},
		{Name: "rate_limit", Type: topology.ParamDuration, Default: "86400s", Runtime: true, Doc: "Fetch this often (IntelMQ: seconds); 0 fetches once and stops."},
		{Name: "redis_cache_ttl", Type: topology.ParamDuration, Default: "864000s", Doc: "How long a downloaded report's name is remembered, so that it is not sent again (IntelMQ keeps them in Redis; here in the node's state directory, so they survive a restart)."},
		{Name: "api_url", Type: topology.ParamString, Default: DefaultAPIURL, Doc: "The API's base URL."},
		{Name: "download_url", Type: topology.ParamString, Default: DefaultDownloadURL, Doc: "The base URL reports are downloaded from, by id."},
	}, httpclient.Params(), feed.Params()),
	Produces: append([]string{"extra.file_name"}, feed.Produces...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector downloads Shadowserver reports through the reports API.
type Collector struct {
	apiKey, secret string
	reports, types []string
	days           int
	interval, ttl  time.Duration
	apiURL, dlURL  string
	client         *httpclient.Client
	feed           *feed.Fields
	log            *slog.Logger
	// customLog: SetLogger was called; otherwise Run logs on the node's logger.
	customLog bool
	now       func() time.Time
	sent      map[string]time.Time // file name → when it was sent
	memo      *memo.File           // sent, kept across restarts
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	c := &Collector{
		apiKey: p.String("api_key"), secret: p.String("secret"),
		reports: p.Strings("reports"), types: p.Strings("types"), days: int(p.Int("days")),
		interval: p.Duration("rate_limit"), ttl: p.Duration("redis_cache_ttl"),
		apiURL: p.String("api_url"), dlURL: p.String("download_url"),
		now: time.Now, sent: map[string]time.Time{},
	}
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	if c.apiKey == "" {
		return nil, bad("api_key", errors.New("empty"))
	}
	if c.secret == "" {
		return nil, bad("secret", errors.New("empty"))
	}
	if country := p.String("country"); country != "" && !slices.Contains(c.reports, country) {
		c.reports = append(c.reports, country)
	}
	if c.days < 0 {
		return nil, bad("days", fmt.Errorf("%d is negative", c.days))
	}
	for param, u := range map[string]*string{"api_url": &c.apiURL, "download_url": &c.dlURL} {
		pu, err := url.Parse(*u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, bad(param, fmt.Errorf("%q is not an http(s) URL", *u))
		}
		if !strings.HasSuffix(*u, "/") {
			*u += "/"
		}
	}
	var err error
	if c.client, err = httpclient.New(Name, p); err != nil {
		return nil, err
	}
	if c.feed, err = feed.New(Name, p); err != nil {
		return nil, err
	}
	c.log = slog.Default().With("node", Name)
	return c, nil
}

// SetLogger makes the collector log on l (default: slog.Default()).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", Name)
	c.customLog = true
	c.client.Log = c.log
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// Run fetches the new reports once (rate_limit 0: the fetch's error is
// returned) or every rate_limit until ctx ends (a failed fetch is logged
// and the next one comes on schedule).
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx)
	}
	c.memo = memo.Open(ctx, "shadowserver-sent")
	if err := c.memo.Load(&c.sent); err != nil {
		return err
	}
	if c.sent == nil {
		c.sent = map[string]time.Time{}
	}
	return schedule.Run(ctx, c.interval, c.log, func(ctx context.Context) error { return c.Fetch(ctx, emit) })
}

// Sign returns the HMAC2 header value of a request body: the hex
// HMAC-SHA256 of the body keyed by the API secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Entry is one report of the API's reports/list answer.
type Entry struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	File      string `json:"file"`
	Timestamp string `json:"timestamp"`
	Report    string `json:"report"`
}

// listRequest is the body of reports/list.
type listRequest struct {
	APIKey  string   `json:"apikey"`
	Date    string   `json:"date"`
	Reports []string `json:"reports,omitempty"`
}

// List asks the API for the reports of the last days (filtered by types).
func (c *Collector) List(ctx context.Context) ([]Entry, error) {
	today := c.now().UTC()
	body, err := json.Marshal(listRequest{
		APIKey:  c.apiKey,
		Date:    today.AddDate(0, 0, -c.days).Format(time.DateOnly) + ":" + today.Format(time.DateOnly),
		Reports: c.reports,
	})
	if err != nil {
		return nil, err
	}
	endpoint := c.apiURL + "reports/list"
	resp, err := c.client.Get(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("HMAC2", Sign(c.secret, body))
		return req, nil
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%w: %s", &httpclient.StatusError{URL: endpoint, Status: resp.StatusCode}, apiError(resp.Data))
	}
	var entries []Entry
	if err := json.Unmarshal(resp.Data, &entries); err != nil {
		if msg := apiError(resp.Data); msg != "" {
			return nil, fmt.Errorf("%s: %s", endpoint, msg)
		}
		return nil, fmt.Errorf("%s: unexpected answer: %w", endpoint, err)
	}
	if len(c.types) > 0 {
		entries = slices.DeleteFunc(entries, func(e Entry) bool { return !slices.Contains(c.types, e.Type) })
	}
	return entries, nil
}

// apiError returns the message of an {"error": ...} answer, or "".
func apiError(data []byte) string {
	var e struct {
		Error any `json:"error"`
	}
	if json.Unmarshal(data, &e) != nil || e.Error == nil {
		return ""
	}
	return fmt.Sprint(e.Error)
}

// Fetch lists the reports and emits each one not sent before. A report
// whose download fails is logged and tried again on the next fetch; the
// error then says how many failed. Errors of emit are wrapped with
// schedule.Stop.
func (c *Collector) Fetch(ctx context.Context, emit func(*dho.Report) error) error {
	now := c.now()
	for name, at := range c.sent {
		if now.Sub(at) > c.ttl {
			delete(c.sent, name)
		}
	}
	entries, err := c.List(ctx)
	if err != nil {
		return err
	}
	var failed []string
	sent := 0
	for _, e := range entries {
		if e.File == "" || e.ID == "" {
			c.log.Warn("report without file name or id skipped", "id", e.ID, "file", e.File)
			continue
		}
		if _, done := c.sent[e.File]; done {
			continue
		}
		data, err := c.download(ctx, e.ID)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			c.log.Error("report download failed", "file", e.File, "id", e.ID, "err", err)
			failed = append(failed, e.File)
			continue
		}
		r, err := c.feed.Report(data, c.now())
		if err == nil {
			err = r.Set("extra.file_name", e.File)
		}
		if err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return schedule.Stop(err)
		}
		c.sent[e.File] = now
		sent++
	}
	if c.memo != nil && sent > 0 {
		// Remembered once the broker has the reports: a crash before
		// loses nothing (the reports come again).
		if err := topology.Flush(ctx); err != nil {
			return fmt.Errorf("reports not acknowledged, not remembered as sent: %w", err)
		}
		if err := c.memo.Save(c.sent); err != nil {
			c.log.Warn("the names of the reports sent are not kept for a restart", "err", err)
		}
	}
	c.log.Info("reports downloaded", "sent", sent, "listed", len(entries), "failed", len(failed))
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d report downloads failed: %s", len(failed), len(entries), strings.Join(failed, ", "))
	}
	return nil
}

func (c *Collector) download(ctx context.Context, id string) ([]byte, error) {
	u := c.dlURL + url.PathEscape(id)
	resp, err := c.client.Get(ctx, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, &httpclient.StatusError{URL: u, Status: resp.StatusCode}
	}
	return resp.Data, nil
}
