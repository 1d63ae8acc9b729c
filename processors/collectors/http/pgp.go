package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"

	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/topology"
)

// signer checks a download's detached OpenPGP signature, fetched from the
// signature URL (with the same time placeholders as the data's URL),
// against the keys of a keyring file (armored or binary public keys).
type signer struct {
	url     string
	literal bool
	keys    openpgp.EntityList
}

// newSigner reads the signature parameters.
func newSigner(p topology.Params, dataLiteral bool) (*signer, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	s := &signer{url: p.String("signature_url"), literal: dataLiteral}
	if s.url == "" {
		return nil, bad("signature_url", errors.New("verify_pgp_signatures needs the signature's URL"))
	}
	switch f := p.Value("signature_url_formatting").(type) {
	case nil:
	case bool:
		s.literal = !f
	default:
		return nil, bad("signature_url_formatting", fmt.Errorf("%v (%T): want true or false (the time shift is http_url_formatting's)", f, f))
	}
	if p.String("gpg_keyring") == "" {
		return nil, bad("gpg_keyring", errors.New("verify_pgp_signatures needs a keyring file of the accepted public keys"))
	}
	keys, err := readKeyring(p.String("gpg_keyring"))
	if err != nil {
		return nil, bad("gpg_keyring", err)
	}
	s.keys = keys
	return s, nil
}

// readKeyring reads the public keys of path, armored or binary.
func readKeyring(path string) (openpgp.EntityList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	if err != nil {
		keys, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: no OpenPGP public keys: %w", path, err)
	}
	return keys, nil
}

// ErrBadSignature is the reason a download whose signature does not check
// gives no report.
var ErrBadSignature = errors.New("the OpenPGP signature does not check")

// verify fetches the signature of data and checks it. The signature may be
// armored or binary.
func (c *Collector) verify(ctx context.Context, data []byte) error {
	u := c.sig.url
	if !c.sig.literal {
		var err error
		if u, err = FormatURL(u, c.now().Add(c.delta)); err != nil {
			return fmt.Errorf("signature_url: %w", err)
		}
	}
	resp, err := c.client.Get(ctx, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	})
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("signature: %w", &httpclient.StatusError{URL: redact(u), Status: resp.StatusCode})
	}
	check := openpgp.CheckArmoredDetachedSignature
	if !bytes.HasPrefix(bytes.TrimSpace(resp.Data), []byte("-----BEGIN")) {
		check = openpgp.CheckDetachedSignature
	}
	signer, err := check(c.sig.keys, bytes.NewReader(data), bytes.NewReader(resp.Data), nil)
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("%w: signed by a key not in the keyring (%s)", ErrBadSignature, redact(u))
	case err != nil:
		return fmt.Errorf("%w (%s): %v", ErrBadSignature, redact(u), err)
	}
	for _, id := range signer.Identities {
		c.log.Info("signature checked", "url", redact(u), "signer", id.Name)
		break
	}
	return nil
}
