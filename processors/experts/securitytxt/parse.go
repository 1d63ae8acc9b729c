package securitytxt

import (
	"bufio"
	"errors"
	"strings"
	"time"
)

// File is what the expert reads from a security.txt file (RFC 9116).
type File struct {
	Contacts  []string  `json:"contacts,omitempty"` // in the file's order (of preference)
	Expires   time.Time `json:"expires,omitzero"`
	Canonical []string  `json:"canonical,omitempty"`
	// URL is where the file was fetched from.
	URL string `json:"url,omitempty"`
}

// Parse reads a security.txt file: "Field: value" lines, "#" comments,
// optionally inside an OpenPGP cleartext signature (whose signature block
// is skipped and whose dash-escaping is undone; the signature is not
// verified). Field names are case-insensitive; unknown fields are ignored.
// A file without any Contact is an error, as RFC 9116 requires one.
func Parse(text string) (*File, error) {
	f := &File{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	inSig, inHeader := false, false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case line == "-----BEGIN PGP SIGNED MESSAGE-----":
			inHeader = true
			continue
		case inHeader:
			if strings.TrimSpace(line) == "" {
				inHeader = false
			}
			continue
		case line == "-----BEGIN PGP SIGNATURE-----":
			inSig = true
			continue
		case line == "-----END PGP SIGNATURE-----":
			inSig = false
			continue
		case inSig:
			continue
		}
		line = strings.TrimPrefix(line, "- ")
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "contact":
			if value != "" {
				f.Contacts = append(f.Contacts, value)
			}
		case "expires":
			if t, err := time.Parse(time.RFC3339, value); err == nil {
				f.Expires = t
			}
		case "canonical":
			f.Canonical = append(f.Canonical, value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(f.Contacts) == 0 {
		return nil, errors.New("security.txt has no Contact field")
	}
	return f, nil
}

// IsEmail reports whether a contact is an e-mail address (a mailto: URI
// or anything with an "@", as IntelMQ decides).
func IsEmail(contact string) bool {
	return strings.Contains(contact, "mailto:") || strings.Contains(contact, "@")
}
