// Package httpq is the HTTP client of the HTTP-based experts (ripe,
// securitytxt, misp, http_status): timeouts, an optional CA file, a user
// agent, and the classification of failures (network errors, timeouts,
// 429 and 5xx are transient).
package httpq

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/topology"
)

// Params are the HTTP parameters of the HTTP-based experts.
var Params = []topology.Param{
	{Name: "timeout", Type: topology.ParamDuration, Default: "10s", Doc: "Timeout of one HTTP request; a timeout is retried later."},
	{Name: "ca_file", Type: topology.ParamString, Doc: "PEM file of CA certificates to trust besides the system's (e.g. an internal CA)."},
	{Name: "user_agent", Type: topology.ParamString, Default: "intelstream", Doc: "User-Agent header of the requests."},
}

// Client is an HTTP client with a user agent.
type Client struct {
	HTTP      *http.Client
	UserAgent string
}

// FromParams builds the client the parameters describe for node kind node.
func FromParams(node string, p topology.Params) (*Client, error) {
	timeout := p.Duration("timeout")
	if timeout <= 0 {
		return nil, &topology.ParamError{Node: node, Param: "timeout", Err: fmt.Errorf("must be positive, got %s", timeout)}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if f := p.String("ca_file"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, &topology.ParamError{Node: node, Param: "ca_file", Err: err}
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &topology.ParamError{Node: node, Param: "ca_file", Err: errors.New("no PEM certificate in the file")}
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &Client{HTTP: &http.Client{Timeout: timeout, Transport: tr}, UserAgent: p.String("user_agent")}, nil
}

// StatusError is an HTTP answer with an unexpected status.
type StatusError struct {
	Method string // "" is GET
	URL    string
	Status int
	Body   []byte // the start of the body
}

func (e *StatusError) Error() string {
	m := e.Method
	if m == "" {
		m = http.MethodGet
	}
	return fmt.Sprintf("%s %s: HTTP status %d", m, e.URL, e.Status)
}

// Classify returns err as a transient error when retrying may help:
// network failures, timeouts, 429 and 5xx answers.
func Classify(err error) error {
	var se *StatusError
	if errors.As(err, &se) {
		if se.Status == http.StatusTooManyRequests || se.Status >= 500 {
			return topology.Transient(err)
		}
		return err
	}
	return enrich.LookupError(err)
}

// Do sends req with the user agent and returns the response; network
// errors are classified. The caller closes the body.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return nil, topology.Transient(err)
		}
		return nil, Classify(err)
	}
	return resp, nil
}

// GetJSON fetches url with the headers and decodes a 200 answer's JSON
// body into v. Other statuses are a *StatusError (classified).
func (c *Client) GetJSON(ctx context.Context, url string, header http.Header, v any) error {
	return c.DoJSON(ctx, http.MethodGet, url, header, nil, v)
}

// DoJSON sends a request with body (JSON-encoded unless nil) and decodes
// a 200 answer's JSON body into v. Other statuses are a *StatusError
// (classified).
func (c *Client) DoJSON(ctx context.Context, method, url string, header http.Header, body, v any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return Classify(&StatusError{Method: method, URL: url, Status: resp.StatusCode, Body: msg})
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v); err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	return nil
}
