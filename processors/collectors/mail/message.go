package mail

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode bodies in other charsets than UTF-8
	gomail "github.com/emersion/go-message/mail"
)

// Message is a mail as the collectors see it: the headers IntelMQ puts in
// extra.email_*, the text bodies by subtype and the attachments.
type Message struct {
	// Subject is the decoded Subject header.
	Subject string
	// From are the addresses of the From header.
	From []string
	// MessageID and Date are the raw Message-ID and Date headers.
	MessageID, Date string
	// Bodies holds the decoded text parts that are not attachments, by
	// subtype ("plain", "html"), in mail order.
	Bodies map[string][][]byte
	// Attachments are the parts with a file name, in mail order.
	Attachments []Attachment
}

// Attachment is one attached file, decoded.
type Attachment struct {
	Name string
	Data []byte
}

// maxPartBytes bounds a decoded part, so that a hostile mail cannot exhaust
// memory (a mail is already bounded by what the IMAP server holds).
const maxPartBytes = 256 << 20

// ParseMessage reads a MIME mail. A part whose charset is unknown is kept
// undecoded; a part that cannot be read at all is skipped. It fails only
// when the mail's header cannot be read.
func ParseMessage(raw []byte) (*Message, error) {
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, err
	}
	if mr == nil {
		return nil, errors.New("unreadable mail")
	}
	m := &Message{Bodies: map[string][][]byte{}}
	h := mr.Header
	if s, err := h.Subject(); err == nil {
		m.Subject = s
	} else {
		m.Subject = h.Get("Subject")
	}
	if addrs, err := h.AddressList("From"); err == nil {
		for _, a := range addrs {
			m.From = append(m.From, a.Address)
		}
	} else if f := strings.TrimSpace(h.Get("From")); f != "" {
		m.From = []string{f}
	}
	m.MessageID = strings.TrimSpace(h.Get("Message-Id"))
	m.Date = strings.TrimSpace(h.Get("Date"))
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			break // the rest of the mail is unreadable; keep what was read
		}
		if p == nil {
			break
		}
		data, err := io.ReadAll(io.LimitReader(p.Body, maxPartBytes))
		if err != nil {
			continue
		}
		switch ph := p.Header.(type) {
		case *gomail.AttachmentHeader:
			name, _ := ph.Filename()
			m.Attachments = append(m.Attachments, Attachment{Name: name, Data: data})
		case *gomail.InlineHeader:
			// An inline part with a file name is an attachment too.
			if _, params, err := mime.ParseMediaType(ph.Get("Content-Disposition")); err == nil && params["filename"] != "" {
				m.Attachments = append(m.Attachments, Attachment{Name: params["filename"], Data: data})
				continue
			}
			ct, _, err := ph.ContentType()
			if err != nil || ct == "" {
				ct = "text/plain"
			}
			if sub, ok := strings.CutPrefix(ct, "text/"); ok {
				m.Bodies[sub] = append(m.Bodies[sub], data)
			}
		}
	}
	return m, nil
}
