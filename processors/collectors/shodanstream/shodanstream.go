// Package shodanstream is the Shodan stream collector: it reads Shodan's
// streaming API (all banners, the banners of some countries, or those of
// one network alert) and turns every banner line into a report, as
// IntelMQ's Shodan stream collector does. The streaming and reconnection
// (backoff, silence timeout, retries) are those of the HTTP stream
// collector; this package builds the Shodan URL, keeps the API key out of
// reports and logs, and stamps feed.url with the key-less URL.
package shodanstream

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/httpstream"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "shodan-stream-collector"

// DefaultURL is the base URL of Shodan's streaming API.
const DefaultURL = "https://stream.shodan.io"

// Spec is the node spec of the Shodan stream collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Reads Shodan's streaming API: one report per banner line (raw), feed.url the stream's URL without the key. " +
		"With alert, the banners of that network alert (/shodan/alert/ID); with countries, those of the countries (/shodan/countries/DE,AT); " +
		"with neither, every banner (/shodan/banners). Reconnects with backoff as the HTTP stream collector does.",
	IntelMQ: "intelmq.bots.collectors.shodan.collector_stream",
	Params: slices.Concat([]topology.Param{
		{Name: "api_key", Type: topology.ParamString, Required: true, Doc: "The Shodan API key (sent as the key query parameter; never logged)."},
		{Name: "countries", Type: topology.ParamStrings, Doc: "Two-letter country codes whose banners to stream (a list or a comma-separated string); not with alert.", Example: []string{"DE", "AT"}},
		{Name: "alert", Type: topology.ParamString, Doc: "A network alert ID of monitor.shodan.io whose banners to stream; not with countries."},
		{Name: "shodan_stream_url", Type: topology.ParamString, Default: DefaultURL, Doc: "The base URL of the streaming API (tests, proxies)."},
		{Name: "reconnect_delay", Type: topology.ParamDuration, Default: "1s", Doc: "The wait before the first reconnection; doubled after each failed one, reset once a connection delivered a line."},
		{Name: "reconnect_max_delay", Type: topology.ParamDuration, Default: "5m", Doc: "The longest wait between reconnections."},
		{Name: "max_line_bytes", Type: topology.ParamInt, Default: 16 << 20, Doc: "Longer banner lines are skipped (with a log line)."},
	}, httpclient.Params(), feed.Params()),
	Produces: append([]string{"feed.url"}, feed.Produces...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector reads a Shodan stream into reports.
type Collector struct {
	stream *httpstream.Collector
	key    string
	// url is the stream's URL without the key (feed.url).
	url       string
	log       *slog.Logger
	customLog bool
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	key := strings.TrimSpace(p.String("api_key"))
	if key == "" || strings.HasPrefix(key, "<") {
		return nil, bad("api_key", fmt.Errorf("no API key given"))
	}
	base := strings.TrimRight(p.String("shodan_stream_url"), "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, bad("shodan_stream_url", fmt.Errorf("%q is not an http(s) base URL", base))
	}
	var countries []string
	for _, c := range p.Strings("countries") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c == "" {
			continue
		}
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return nil, bad("countries", fmt.Errorf("%q is not a two-letter country code", c))
		}
		countries = append(countries, c)
	}
	alert := strings.TrimSpace(p.String("alert"))
	var path string
	switch {
	case alert != "" && len(countries) > 0:
		return nil, bad("alert", fmt.Errorf("both alert and countries given; use one selector"))
	case alert != "":
		if strings.ContainsAny(alert, "/?#% ") {
			return nil, bad("alert", fmt.Errorf("%q is not an alert ID", alert))
		}
		path = "/shodan/alert/" + alert
	case len(countries) > 0:
		path = "/shodan/countries/" + strings.Join(countries, ",")
	default:
		path = "/shodan/banners"
	}
	if _, err := feed.New(Name, p); err != nil {
		return nil, err
	}
	c := &Collector{key: key, url: base + path, log: slog.Default().With("node", Name)}

	sp := topology.Params{}
	for k, v := range p {
		sp[k] = v
	}
	delete(sp, "api_key")
	delete(sp, "countries")
	delete(sp, "alert")
	delete(sp, "shodan_stream_url")
	sp["http_url"] = c.url + "?key=" + url.QueryEscape(key)
	sp["strip_lines"] = true
	var err error
	if c.stream, err = httpstream.New(sp); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	c.stream.SetLogger(slog.New(redact{c.log.Handler(), c.key}))
	return c, nil
}

// SetLogger makes the collector log on l (default: the node's logger).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", Name)
	c.customLog = true
	c.stream.SetLogger(slog.New(redact{l.Handler(), c.key}))
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// URL returns the stream's URL without the API key.
func (c *Collector) URL() string { return c.url }

// Run reads the stream until ctx ends (nil) or emit fails (its error),
// reconnecting with backoff whenever the stream ends, breaks or is silent.
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.stream.SetLogger(slog.New(redact{topology.Logger(ctx).Handler(), c.key}))
	}
	return c.stream.Run(ctx, func(r *dho.Report) error {
		if err := r.Set("feed.url", c.url); err != nil {
			return err
		}
		return emit(r)
	})
}

// redact is a slog handler that removes the API key from every attribute
// (URLs in log lines and in errors carry it).
type redact struct {
	h   slog.Handler
	key string
}

func (r redact) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redact) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r redact) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = r.attr(a)
	}
	return redact{r.h.WithAttrs(out), r.key}
}

func (r redact) WithGroup(name string) slog.Handler { return redact{r.h.WithGroup(name), r.key} }

func (r redact) scrub(s string) string {
	s = strings.ReplaceAll(s, url.QueryEscape(r.key), "REDACTED")
	return strings.ReplaceAll(s, r.key, "REDACTED")
}

func (r redact) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, ga := range g {
			out[i] = r.attr(ga)
		}
		return slog.Group(a.Key, out...)
	case slog.KindString, slog.KindAny:
		s := v.String()
		if v.Kind() == slog.KindAny {
			s = fmt.Sprint(v.Any())
		}
		if strings.Contains(s, r.key) || strings.Contains(s, url.QueryEscape(r.key)) {
			return slog.String(a.Key, r.scrub(s))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
