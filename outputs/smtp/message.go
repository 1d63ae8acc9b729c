package smtp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// attachment is a file attached to a mail.
type attachment struct {
	name, contentType string
	data              []byte
}

// message is a mail to build: a text/plain body and attachments.
type message struct {
	from      string
	to        []string
	subject   string
	date      time.Time
	messageID string // without <>
	body      string
	attach    []attachment
}

// build returns the mail in RFC 5322 form with CRLF line ends. It is
// deterministic (the MIME boundary is derived from the message id), so the
// same message built twice has the same bytes.
func (m message) build() []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", m.from)
	h("To", strings.Join(m.to, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", m.subject))
	h("Date", m.date.Format(time.RFC1123Z))
	h("Message-ID", "<"+m.messageID+">")
	h("MIME-Version", "1.0")
	if len(m.attach) == 0 {
		writeText(&b, m.body)
		return b.Bytes()
	}
	sum := sha256.Sum256([]byte(m.messageID))
	boundary := "=_" + hex.EncodeToString(sum[:12])
	h("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	b.WriteString("--" + boundary + "\r\n")
	writeText(&b, m.body)
	for _, a := range m.attach {
		b.WriteString("\r\n--" + boundary + "\r\n")
		h("Content-Type", mime.FormatMediaType(a.contentType, map[string]string{"charset": "utf-8", "name": a.name}))
		h("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.name}))
		h("Content-Transfer-Encoding", "base64")
		b.WriteString("\r\n")
		enc := base64.StdEncoding.EncodeToString(a.data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes()
}

// writeText writes a text/plain part: headers, blank line, the body
// quoted-printable with CRLF line ends.
func writeText(b *bytes.Buffer, body string) {
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	w := quotedprintable.NewWriter(b)
	w.Write([]byte(body))
	w.Close()
	b.WriteString("\r\n")
}

// addresses parses a comma-separated address list and returns the bare
// addresses (for the envelope) and the list as written (for the header).
func addresses(list string) ([]string, []string, error) {
	// A template may leave a field empty: ",b@x" or "a@x," must not
	// quietly lose a recipient.
	if t := strings.ReplaceAll(strings.TrimSpace(list), " ", ""); t == "" || strings.HasPrefix(t, ",") || strings.HasSuffix(t, ",") || strings.Contains(t, ",,") {
		return nil, nil, fmt.Errorf("recipients %q: an empty address", list)
	}
	parsed, err := mail.ParseAddressList(list)
	if err != nil {
		return nil, nil, fmt.Errorf("recipients %q: %w", list, err)
	}
	env, hdr := make([]string, len(parsed)), make([]string, len(parsed))
	for i, a := range parsed {
		env[i], hdr[i] = a.Address, a.String()
	}
	return env, hdr, nil
}

// domainOf returns the domain of an address, for message ids.
func domainOf(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}
