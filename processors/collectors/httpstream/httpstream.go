// Package httpstream is the HTTP stream collector: it keeps a streaming
// HTTP connection open and turns every line into a report, as IntelMQ's
// HTTP stream collector does, reconnecting with backoff whenever the
// stream ends, breaks or stays silent longer than http_timeout_sec.
package httpstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "http-stream-collector"

// Spec is the node spec of the HTTP stream collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Reads a line-delimited HTTP stream: one report per non-empty line (raw), feed.url the URL. " +
		"Reconnects with backoff (reconnect_delay doubling up to reconnect_max_delay) when the stream ends, breaks or is silent for http_timeout_sec.",
	IntelMQ: "intelmq.bots.collectors.http.collector_http_stream",
	Params: slices.Concat([]topology.Param{
		{Name: "http_url", Type: topology.ParamString, Required: true, Doc: "The stream's URL.", Example: "https://stream.example.org/events"},
		{Name: "strip_lines", Type: topology.ParamBool, Default: true, Doc: "Remove leading and trailing white space from each line."},
		{Name: "reconnect_delay", Type: topology.ParamDuration, Default: "1s", Doc: "The wait before the first reconnection; doubled after each failed one, reset once a connection delivered a line."},
		{Name: "reconnect_max_delay", Type: topology.ParamDuration, Default: "5m", Doc: "The longest wait between reconnections."},
		{Name: "max_line_bytes", Type: topology.ParamInt, Default: 16 << 20, Doc: "Longer lines are skipped (with a log line) rather than held in memory."},
	}, httpclient.Params(), feed.Params()),
	Produces: append([]string{"feed.url"}, feed.Produces...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector reads a line-delimited HTTP stream into reports.
type Collector struct {
	url             string
	strip           bool
	delay, maxDelay time.Duration
	maxLine         int
	client          *httpclient.Client
	feed            *feed.Fields
	log             *slog.Logger
	// customLog: SetLogger was called; otherwise Run logs on the node's logger.
	customLog bool
	now       func() time.Time
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	c := &Collector{
		url: p.String("http_url"), strip: p.Bool("strip_lines"),
		delay: p.Duration("reconnect_delay"), maxDelay: p.Duration("reconnect_max_delay"),
		maxLine: int(p.Int("max_line_bytes")), now: time.Now,
	}
	if u, err := url.Parse(c.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &topology.ParamError{Node: Name, Param: "http_url", Err: fmt.Errorf("%q is not an http(s) URL", c.url)}
	}
	if c.delay <= 0 {
		c.delay = time.Second
	}
	c.maxDelay = max(c.maxDelay, c.delay)
	if c.maxLine <= 0 {
		c.maxLine = 16 << 20
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

// emitError carries an error of emit, which ends Run.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }

// Run reads the stream until ctx ends, reconnecting whenever it ends or
// fails. It returns only when ctx ends (nil) or emit fails (its error).
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx)
	}
	delay := c.delay
	for {
		lines, err := c.read(ctx, emit)
		if ctx.Err() != nil {
			return nil
		}
		var ee *emitError
		if errors.As(err, &ee) {
			return ee.err
		}
		if lines > 0 {
			delay = c.delay
		}
		if err != nil {
			c.log.Warn("stream failed, reconnecting", "url", c.url, "err", err, "lines", lines, "in", delay)
		} else {
			c.log.Info("stream ended, reconnecting", "url", c.url, "lines", lines, "in", delay)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(2*delay, c.maxDelay)
	}
}

// read connects once and emits a report per line until the stream ends
// (nil) or fails; it returns the number of lines emitted.
func (c *Collector) read(ctx context.Context, emit func(*dho.Report) error) (int, error) {
	c.log.Info("connecting to stream", "url", c.url)
	resp, err := c.client.Open(ctx, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return 0, &httpclient.StatusError{URL: c.url, Status: resp.StatusCode}
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	lines := 0
	var long []byte // a line longer than the reader's buffer, being assembled
	skipping := false
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !skipping && len(long)+len(chunk) > c.maxLine {
				c.log.Warn("line too long, skipped", "max_line_bytes", c.maxLine)
				skipping, long = true, nil
			}
			if !skipping {
				long = append(long, chunk...)
			}
			continue
		}
		if err != nil && (err != io.EOF || len(chunk) == 0 && len(long) == 0) {
			// A line cut by a broken connection is dropped with it.
			if err == io.EOF {
				err = nil
			}
			return lines, err
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if skipping {
			skipping = false
			continue
		}
		if len(bytes.TrimRight(line, "\r\n")) > c.maxLine {
			c.log.Warn("line too long, skipped", "max_line_bytes", c.maxLine)
			continue
		}
		if e := c.emitLine(line, emit); e != nil {
			return lines, e
		}
		if len(bytes.TrimSpace(line)) > 0 {
			lines++
		}
		if err == io.EOF {
			return lines, nil
		}
	}
}

func (c *Collector) emitLine(line []byte, emit func(*dho.Report) error) error {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if c.strip {
		line = bytes.TrimSpace(line)
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return nil // keep-alive newlines and empty lines
	}
	r, err := c.feed.Report(bytes.Clone(line), c.now())
	if err == nil {
		err = r.Set("feed.url", c.url)
	}
	if err == nil {
		err = emit(r)
	}
	if err != nil {
		return &emitError{err}
	}
	return nil
}
