package outkit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// StatusError is an HTTP answer that is not a success.
type StatusError struct {
	Code int
	Body string // the start of the answer's body
	// RetryAfter is what the Retry-After header asked for, 0 if nothing.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, e.Body)
}

// RetryableStatus says whether an HTTP status is worth retrying: 408, 429
// and the 5xx answers except 501 (not implemented) and 505.
func RetryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true
	case code == http.StatusNotImplemented, code == http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500 && code <= 599
}

// CheckResponse turns a non-2xx answer into a *StatusError, wrapped as
// transient when the status is retryable; it reads at most 1 KiB of the
// body for the message. A 2xx answer gives nil.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	err := &StatusError{Code: resp.StatusCode, Body: string(body), RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if RetryableStatus(resp.StatusCode) {
		return topology.Transient(err)
	}
	return err
}

// RetryAfter parses a Retry-After header: seconds or an HTTP date. It
// returns 0 for an empty or unreadable value and caps the wait at 5 minutes.
func RetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, 5*time.Minute))
}

// TransportError classifies an error of http.Client.Do: a cancelled
// context is returned as it is (the runtime is stopping), a certificate
// the settings do not accept is permanent (retrying does not mend it),
// anything else (refused, reset, timeout, handshake cut) is transient.
func TransportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return err
	}
	return topology.Transient(err)
}

// NetTransient wraps network errors (and timeouts) as transient and keeps
// the others as they are.
func NetTransient(err error) error {
	var ne net.Error
	if err == nil {
		return nil
	}
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return topology.Transient(err)
	}
	return err
}

// Sleep waits d or until ctx ends, whichever comes first; it returns
// ctx's error when ctx ended.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retry runs fn until it succeeds, fails for good, or attempts ran out,
// waiting backoff (doubled each time, at most 30s) between tries, or what a
// *StatusError's Retry-After asked for when that is longer. It returns
// fn's last error, or ctx's when ctx ended while waiting.
func Retry(ctx context.Context, attempts int, backoff time.Duration, fn func() error) error {
	for n := 1; ; n++ {
		err := fn()
		if err == nil || !topology.IsTransient(err) || n >= attempts {
			return err
		}
		wait := backoff
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > wait {
			wait = se.RetryAfter
		}
		if serr := Sleep(ctx, wait); serr != nil {
			return serr
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}
