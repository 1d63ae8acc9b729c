// Package httpclient is the HTTP side the collectors share: IntelMQ's
// HTTP parameters (basic auth, headers, TLS, proxies, timeouts, tries),
// retries with backoff on timeouts, connection failures, 429 and 5xx
// (honouring Retry-After), and an idle timeout that also bounds a server
// that stops sending in the middle of a body or a stream.
package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// Params returns the HTTP parameters, with IntelMQ's names (those of its
// HttpMixin). A fresh slice each call, so that specs may append to it.
func Params() []topology.Param {
	return []topology.Param{
		{Name: "http_username", Type: topology.ParamString, Doc: "User name for HTTP basic authentication (with http_password)."},
		{Name: "http_password", Type: topology.ParamString, Doc: "Password for HTTP basic authentication."},
		{Name: "http_header", Type: topology.ParamObject, Doc: "Extra request headers, name to value.", Example: map[string]any{"Authorization": "Token abc"}},
		{Name: "http_user_agent", Type: topology.ParamString, Default: "intelstream", Doc: "The User-Agent header (unless http_header sets one)."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the server's TLS certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Doc: "A PEM file of the CA certificates to trust instead of the system's."},
		{Name: "ssl_client_certificate", Type: topology.ParamString, Doc: "A PEM file with the TLS client certificate (and its key, unless ssl_client_key is given)."},
		{Name: "ssl_client_key", Type: topology.ParamString, Doc: "A PEM file with the key of ssl_client_certificate."},
		{Name: "http_proxy", Type: topology.ParamString, Doc: "Proxy URL for http:// URLs (default: the HTTP_PROXY environment variable)."},
		{Name: "https_proxy", Type: topology.ParamString, Doc: "Proxy URL for https:// URLs (default: the HTTPS_PROXY environment variable)."},
		{Name: "http_timeout_sec", Type: topology.ParamDuration, Default: "30s", Doc: "Give up on a connection, a response or a body that is silent this long (IntelMQ: seconds)."},
		{Name: "http_timeout_max_tries", Type: topology.ParamInt, Default: 3, Doc: "Tries per request: timeouts, connection failures, 429 and 5xx answers are tried again, with backoff."},
		{Name: "http_retry_max_wait", Type: topology.ParamDuration, Default: "5m", Doc: "The longest wait between tries; a server asking (Retry-After) for longer fails the request."},
	}
}

// Client does HTTP requests the way the parameters say.
type Client struct {
	hc      *http.Client
	header  http.Header
	user    string
	pass    string
	auth    bool
	timeout time.Duration
	tries   int
	maxWait time.Duration
	// Backoff is the wait after the first failed try, doubled after each
	// further one (up to the parameter http_retry_max_wait); Retry-After
	// answers override it.
	Backoff time.Duration
	// Log receives a line per retry.
	Log *slog.Logger
}

// New builds a client from validated parameters (those of Params). node
// names the collector in errors.
func New(node string, p topology.Params) (*Client, error) {
	c := &Client{
		header:  http.Header{},
		user:    p.String("http_username"),
		pass:    p.String("http_password"),
		timeout: p.Duration("http_timeout_sec"),
		tries:   int(p.Int("http_timeout_max_tries")),
		maxWait: p.Duration("http_retry_max_wait"),
		Backoff: time.Second,
		Log:     slog.Default(),
	}
	c.auth = c.user != "" || c.pass != ""
	if c.tries < 1 {
		c.tries = 1
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	if ua := p.String("http_user_agent"); ua != "" {
		c.header.Set("User-Agent", ua)
	}
	for k, v := range p.Object("http_header") {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		c.header.Set(k, s)
	}
	bad := func(param string, err error) error { return &topology.ParamError{Node: node, Param: param, Err: err} }

	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if !p.Bool("http_verify_cert") && p.Has("http_verify_cert") {
		tlsConf.InsecureSkipVerify = true
	}
	if f := p.String("ssl_ca_certificate"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, bad("ssl_ca_certificate", fmt.Errorf("%s holds no PEM certificate", f))
		}
		tlsConf.RootCAs = pool
	}
	if f := p.String("ssl_client_certificate"); f != "" {
		certPEM, err := os.ReadFile(f)
		if err != nil {
			return nil, bad("ssl_client_certificate", err)
		}
		keyPEM := certPEM
		if kf := p.String("ssl_client_key"); kf != "" {
			if keyPEM, err = os.ReadFile(kf); err != nil {
				return nil, bad("ssl_client_key", err)
			}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, bad("ssl_client_certificate", err)
		}
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	proxies := map[string]*url.URL{}
	for param, scheme := range map[string]string{"http_proxy": "http", "https_proxy": "https"} {
		if s := p.String(param); s != "" {
			u, err := url.Parse(s)
			if err != nil || u.Host == "" {
				return nil, bad(param, fmt.Errorf("%q is not a proxy URL", s))
			}
			proxies[scheme] = u
		}
	}
	dialer := &net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			if u, ok := proxies[r.URL.Scheme]; ok {
				return u, nil
			}
			return http.ProxyFromEnvironment(r)
		},
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: c.timeout,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        10,
		IdleConnTimeout:     90 * time.Second,
	}
	c.hc = &http.Client{Transport: tr}
	return c, nil
}

// StatusError is the error of an answer whose status is not 2xx (nor 304
// where the caller asked conditionally).
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP status %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// errIdle is the cause of a request cancelled by the idle timeout.
var errIdle = errors.New("idle timeout")

// TimeoutError says a server stayed silent longer than http_timeout_sec.
type TimeoutError struct {
	URL   string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: silent for %s (http_timeout_sec)", e.URL, e.After)
}

// Timeout reports true, as net.Error's Timeout does.
func (e *TimeoutError) Timeout() bool { return true }

// Response is an answer with its body still to read (Open) or read (Get).
type Response struct {
	*http.Response
	// Data is the whole body, for Get.
	Data []byte
}

// Get sends the request newReq makes (a new one per try) and reads the
// whole body, trying again as the parameters say. The answer may have any
// status; retries end on a 2xx, 3xx or 4xx other than 429, or when the
// tries are used up (then the last answer or error is returned).
func (c *Client) Get(ctx context.Context, newReq func(context.Context) (*http.Request, error)) (*Response, error) {
	return c.do(ctx, newReq, true)
}

// Open is Get for streams: it returns once the headers arrived; the body
// (whose reads are bounded by the idle timeout) must be closed.
func (c *Client) Open(ctx context.Context, newReq func(context.Context) (*http.Request, error)) (*Response, error) {
	return c.do(ctx, newReq, false)
}

func (c *Client) do(ctx context.Context, newReq func(context.Context) (*http.Request, error), readBody bool) (*Response, error) {
	backoff := c.Backoff
	for try := 1; ; try++ {
		resp, err := c.attempt(ctx, newReq, readBody)
		if ctx.Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, ctx.Err()
		}
		retry, after := c.retryable(resp, err)
		if !retry || try >= c.tries {
			return resp, err
		}
		wait := backoff
		if after >= 0 {
			wait = after
		}
		backoff = min(2*backoff, c.maxWait)
		if wait > c.maxWait {
			if resp != nil {
				resp.Body.Close()
				return nil, fmt.Errorf("%w; the server asks to retry after %s, longer than http_retry_max_wait %s", &StatusError{URL: resp.Request.URL.Redacted(), Status: resp.StatusCode}, wait, c.maxWait)
			}
			wait = c.maxWait
		}
		what := any(err)
		if resp != nil {
			what = resp.Status
			resp.Body.Close()
		}
		c.Log.Warn("HTTP request failed, trying again", "try", try, "of", c.tries, "reason", what, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// retryable says whether to try again and, when the server said so, after
// how long (-1: use the backoff).
func (c *Client) retryable(resp *Response, err error) (bool, time.Duration) {
	if err != nil {
		var cert *tls.CertificateVerificationError
		var unknownAuth x509.UnknownAuthorityError
		if errors.As(err, &cert) || errors.As(err, &unknownAuth) {
			return false, -1 // no retry fixes a certificate
		}
		var uerr *url.Error
		if errors.As(err, &uerr) && !uerr.Timeout() && !isNetError(uerr.Err) {
			return false, -1 // a bad URL, a refused redirect ...
		}
		return true, -1
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		return true, RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case s >= 500:
		return true, -1
	}
	return false, -1
}

func isNetError(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// RetryAfter reads a Retry-After header value (seconds or an HTTP date)
// as a wait from now; -1 when the value is empty or unreadable.
func RetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return -1
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// attempt does one try. Its context is cancelled when the server is
// silent for the timeout: while connecting, waiting for the headers, or
// between two reads of the body.
func (c *Client) attempt(ctx context.Context, newReq func(context.Context) (*http.Request, error), readBody bool) (*Response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	watchdog := time.AfterFunc(c.timeout, func() { cancel(errIdle) })
	req, err := newReq(actx)
	if err != nil {
		watchdog.Stop()
		cancel(nil)
		return nil, err
	}
	for k, vs := range c.header {
		if _, set := req.Header[k]; !set {
			req.Header[k] = vs
		}
	}
	if c.auth {
		req.SetBasicAuth(c.user, c.pass)
	}
	timedOut := func(err error) error {
		if errors.Is(context.Cause(actx), errIdle) {
			return &TimeoutError{URL: req.URL.Redacted(), After: c.timeout}
		}
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		watchdog.Stop()
		cancel(nil)
		return nil, timedOut(err)
	}
	body := &idleBody{rc: resp.Body, watchdog: watchdog, timeout: c.timeout, cancel: cancel, timedOut: timedOut}
	watchdog.Reset(c.timeout)
	resp.Body = body
	if !readBody {
		return &Response{Response: resp}, nil
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	return &Response{Response: resp, Data: data}, nil
}

// idleBody restarts the idle timeout on every read.
type idleBody struct {
	rc       io.ReadCloser
	watchdog *time.Timer
	timeout  time.Duration
	cancel   context.CancelCauseFunc
	timedOut func(error) error
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.watchdog.Reset(b.timeout)
	}
	if err != nil && err != io.EOF {
		err = b.timedOut(err)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.watchdog.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
