// Package urlparts splits a URL into the parts the URL experts (url,
// url2fqdn, rfc1918) read, the way Python's urllib.parse.urlparse gives
// them to IntelMQ: scheme and host lower case, the host without IPv6
// brackets, the path as written.
package urlparts

import (
	"net/url"
	"strconv"
	"strings"
)

// Parts are the parts of one URL.
type Parts struct {
	Scheme string
	Host   string // lower case, "" when the URL has none
	// Port is the explicit port, 0 when there is none (or it is 0), -1
	// when it is not a number from 0 to 65535.
	Port int
	Path string // escaped as written
	User string // the user name of user:password@, "" for none
}

// Parse splits s; ok is false when s is not a URL Go can read.
func Parse(s string) (Parts, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Parts{}, false
	}
	p := Parts{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Hostname()), Path: u.EscapedPath()}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n > 65535 {
			n = -1
		}
		p.Port = n
	}
	if u.User != nil {
		p.User = u.User.Username()
	}
	return p, true
}
