package outkit

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSOptions are the TLS settings outputs take as parameters.
type TLSOptions struct {
	// Verify checks the server's certificate (chain and name).
	Verify bool
	// CAFile is a PEM file of certificates to trust instead of the
	// system's; "" for the system's.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key, for
	// servers that want one; both or neither.
	CertFile, KeyFile string
	// ServerName overrides the name checked in the server's certificate.
	ServerName string
}

// Config builds a tls.Config (TLS 1.2 at least). Errors name the file
// that could not be used.
func (o TLSOptions) Config() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !o.Verify, ServerName: o.ServerName} //nolint:gosec // the operator's choice, default on
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate in it", o.CAFile)
		}
		c.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, errors.New("a client certificate needs both its certificate and its key file")
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, err
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}
