// Package http is the HTTP collector: it downloads a URL once or every
// rate_limit, as IntelMQ's HTTP collector does, into reports (one per
// file when the download is an archive). It asks conditionally (ETag,
// Last-Modified), so that an unchanged feed is not sent twice, and
// survives servers that fail or hang: each request has an idle timeout and
// is tried again with backoff; a fetch that still fails is logged and the
// next one comes on schedule.
package http

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/archive"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/processors/collectors/internal/memo"
	"github.com/intelstream/intelstream/processors/collectors/internal/schedule"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "http-collector"

// Spec is the node spec of the HTTP collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Downloads a URL into reports, once or every rate_limit: raw is the body, feed.url the URL; " +
		"a zip archive (any archive with extract_files) gives one report per file, with extra.file_name. " +
		"Unchanged content (HTTP 304 to If-None-Match / If-Modified-Since) gives no report.",
	IntelMQ: "intelmq.bots.collectors.http.collector_http",
	Params: slices.Concat([]topology.Param{
		{Name: "http_url", Type: topology.ParamString, Required: true, Doc: "The URL. {time[FORMAT]} placeholders (strftime FORMAT, e.g. {time[%Y-%m-%d]}) are filled with the current local time.", Example: "https://example.org/feed-{time[%Y%m%d]}.csv"},
		{Name: "http_url_formatting", Type: topology.ParamJSON, Doc: "true fills the URL's {time[FORMAT]} placeholders, false takes the URL as it is, an object shifts the time by a Python timedelta first, e.g. {\"days\": -1}. Unset: placeholders are filled (IntelMQ needs true for that).", Example: map[string]any{"days": -1}},
		{Name: "extract_files", Type: topology.ParamBool, Default: false, Doc: "Unpack zip, tar (also gzip or bzip2 compressed) and gzip downloads: one report per file. Without it only zip archives are unpacked, as in IntelMQ."},
		{Name: "extract_file_names", Type: topology.ParamStrings, Doc: "Unpack (as extract_files) and keep only the files with these paths in the archive (IntelMQ: extract_files as a list)."},
		{Name: "extract_max_bytes", Type: topology.ParamInt, Default: 1 << 30, Doc: "The most bytes unpacked from one download; beyond it the fetch fails (a guard against archive bombs)."},
		{Name: "verify_pgp_signatures", Type: topology.ParamBool, Default: false, Doc: "Check each download's detached OpenPGP signature (from signature_url) against gpg_keyring; a download whose signature does not check gives no report."},
		{Name: "signature_url", Type: topology.ParamString, Default: "", Doc: "URL of the detached signature, armored or binary, with the same {time[FORMAT]} placeholders as http_url.", Example: "https://example.org/feed-{time[%Y%m%d]}.csv.asc"},
		{Name: "signature_url_formatting", Type: topology.ParamJSON, Doc: "As http_url_formatting, for signature_url (unset: as http_url)."},
		{Name: "gpg_keyring", Type: topology.ParamString, Default: "", Doc: "File of the OpenPGP public keys (armored or binary) whose signatures are accepted."},
		{Name: "rate_limit", Type: topology.ParamDuration, Default: "3600s", Runtime: true, Doc: "Fetch this often (IntelMQ: seconds); 0 fetches once and stops."},
	}, httpclient.Params(), feed.Params()),
	Produces: append([]string{"feed.url", "extra.file_name"}, feed.Produces...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector downloads a URL into reports.
type Collector struct {
	url      string
	delta    time.Duration
	extract  *archive.Options // nil: only zip, as IntelMQ without extract_files
	maxBytes int64
	interval time.Duration
	client   *httpclient.Client
	feed     *feed.Fields
	log      *slog.Logger
	// customLog: SetLogger was called; otherwise Run logs on the node's logger.
	customLog bool
	now       func() time.Time

	// literal: http_url_formatting false, the URL is taken as it is.
	literal bool
	// sig checks the downloads' signatures (verify_pgp_signatures).
	sig *signer
	// validators of the last successful download, for conditional requests;
	// kept in the node's state directory (memo) across restarts
	lastURL, etag, lastModified string
	memo                        *memo.File
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	c := &Collector{url: p.String("http_url"), interval: p.Duration("rate_limit"), maxBytes: p.Int("extract_max_bytes"), now: time.Now}
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	switch f := p.Value("http_url_formatting").(type) {
	case nil, bool:
		c.literal = f == false
	case map[string]any:
		d, err := parseDelta(f)
		if err != nil {
			return nil, bad("http_url_formatting", err)
		}
		c.delta = d
	default:
		return nil, bad("http_url_formatting", fmt.Errorf("%v (%T): want true, false or a timedelta object such as {\"days\": -1}", f, f))
	}
	u, err := c.formatURL()
	if err != nil {
		return nil, bad("http_url", err)
	}
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, bad("http_url", fmt.Errorf("%q is not an http(s) URL", u))
	}
	if p.Bool("verify_pgp_signatures") {
		if c.sig, err = newSigner(p, c.literal); err != nil {
			return nil, err
		}
	}
	names := p.Strings("extract_file_names")
	if p.Bool("extract_files") || len(names) > 0 {
		o := archive.All(c.maxBytes)
		o.Names = names
		c.extract = &o
	}
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

// Run fetches the URL and emits its reports, once (rate_limit 0: the
// fetch's error is returned) or every rate_limit until ctx ends (a failed
// fetch is logged and the next one comes on schedule).
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx)
	}
	if c.interval > 0 {
		// A scheduled collector remembers the validators across
		// restarts; one that fetches once always downloads.
		c.memo = memo.Open(ctx, "http-validators")
		var v validators
		if err := c.memo.Load(&v); err != nil {
			return err
		}
		c.lastURL, c.etag, c.lastModified = v.URL, v.ETag, v.LastModified
	}
	return schedule.Run(ctx, c.interval, c.log, func(ctx context.Context) error { return c.Fetch(ctx, emit) })
}

// Fetch downloads the URL once and emits its reports. It emits nothing
// when the server says the content did not change since the last fetch.
// Errors of emit are wrapped with schedule.Stop.
func (c *Collector) Fetch(ctx context.Context, emit func(*dho.Report) error) error {
	u, err := c.formatURL()
	if err != nil {
		return err
	}
	conditional := u == c.lastURL
	c.log.Info("downloading", "url", redact(u))
	resp, err := c.client.Get(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		if conditional && c.etag != "" {
			req.Header.Set("If-None-Match", c.etag)
		}
		if conditional && c.lastModified != "" {
			req.Header.Set("If-Modified-Since", c.lastModified)
		}
		return req, nil
	})
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		c.log.Info("not modified since the last download", "url", redact(u))
		return nil
	case resp.StatusCode/100 != 2:
		return &httpclient.StatusError{URL: redact(u), Status: resp.StatusCode}
	}
	if c.sig != nil {
		if err := c.verify(ctx, resp.Data); err != nil {
			return err
		}
	}
	files, err := c.unpack(resp.Data)
	if err != nil {
		return fmt.Errorf("%s: %w", redact(u), err)
	}
	now := c.now()
	for _, f := range files {
		r, err := c.feed.Report(f.Data, now)
		if err == nil {
			err = r.Set("feed.url", u)
		}
		if err == nil && f.Name != "" {
			err = r.Set("extra.file_name", f.Name)
		}
		if err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return schedule.Stop(err)
		}
	}
	// Remember the validators only once every report is out, so that a
	// fetch cut short is done again in full.
	c.lastURL, c.etag, c.lastModified = u, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if c.memo != nil {
		if err := c.memo.Save(validators{URL: u, ETag: c.etag, LastModified: c.lastModified}); err != nil {
			c.log.Warn("the download's validators are not kept for a restart", "err", err)
		}
	}
	c.log.Info("downloaded", "url", redact(u), "bytes", len(resp.Data), "reports", len(files))
	return nil
}

// unpack splits a download into the files of its reports.
func (c *Collector) unpack(data []byte) ([]archive.File, error) {
	if c.extract == nil {
		// IntelMQ without extract_files: a zip archive is unpacked, anything
		// else is one report.
		files, err := archive.Extract(data, archive.Options{Zip: true, MaxBytes: c.maxBytes})
		if errors.Is(err, archive.ErrNotArchive) {
			return []archive.File{{Data: data}}, nil
		}
		return files, err
	}
	return archive.Extract(data, *c.extract)
}

// redact hides the password of a URL with credentials, for logs and errors.
func redact(u string) string {
	if !strings.Contains(u, "@") {
		return u
	}
	if pu, err := url.Parse(u); err == nil {
		return pu.Redacted()
	}
	return u
}

// validators are what the collector remembers across restarts.
type validators struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// formatURL is the URL to fetch now: the placeholders filled with the
// current time shifted by http_url_formatting's timedelta, unless the URL
// is taken literally.
func (c *Collector) formatURL() (string, error) {
	if c.literal {
		return c.url, nil
	}
	return FormatURL(c.url, c.now().Add(c.delta))
}
