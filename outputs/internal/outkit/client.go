package outkit

import (
	"net/http"
	"time"
)

// HTTPClient returns a client with its own transport (pooled
// connections), the TLS settings and a timeout per request.
func HTTPClient(tlsOpts TLSOptions, timeout time.Duration) (*http.Client, error) {
	tc, err := tlsOpts.Config()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}
