package sanitize

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// URL is IntelMQ's URL sanitizer. Surrounding whitespace is stripped,
// every "hxxp://" and "hxxps://" (the defanged spellings feeds use) becomes
// "http://" and "https://" (lowercase only, and anywhere in the value, as
// IntelMQ's str.replace does), and the URL must then have a network
// location, as Python's urllib.parse.urlsplit finds it: a "//" after the
// optional scheme, followed by at least one character before the next
// "/", "?" or "#". So "example.com/x" (no scheme) and "mailto:a@b" are
// refused, while "//example.com/x" passes; parsers that want a default
// scheme add it before calling URL. A "file" URL without host gets
// "localhost" ("file:///etc/hosts" becomes "file://localhost/etc/hosts").
// Apart from that the URL is returned as given: IntelMQ does not
// normalize case, percent-encoding or paths, and neither do we.
//
// Like urlsplit (which IntelMQ does not guard against) we refuse
// unbalanced brackets in the host and bracketed hosts that are not IPv6
// addresses. Beyond IntelMQ we refuse control characters (tab, newline
// ...), which urlsplit silently deletes before parsing.
func URL(s string) (string, error) {
	t := trimSpace(s)
	if t == "" {
		return "", invalid(s, "is not a URL: it is empty")
	}
	ascii := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < ' ' || c == 0x7f {
			return "", invalid(s, "is not a URL: it contains a control character")
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.ValidString(t) {
		return "", invalid(s, "is not valid UTF-8")
	}
	if strings.Contains(t, "hxxp") {
		t = strings.ReplaceAll(t, "hxxp://", "http://")
		t = strings.ReplaceAll(t, "hxxps://", "https://")
	}
	scheme, rest := splitScheme(t)
	netloc, hasNetloc := "", false
	if strings.HasPrefix(rest, "//") {
		hasNetloc = true
		netloc = rest[2:]
		if i := strings.IndexAny(netloc, "/?#"); i >= 0 {
			netloc = netloc[:i]
		}
	}
	if hasNetloc && netloc != "" {
		if reason := checkNetloc(netloc); reason != "" {
			return "", invalid(s, "is not a URL: "+reason)
		}
		return t, nil
	}
	if scheme == "file" {
		return fileLocalhost(scheme, rest, hasNetloc), nil
	}
	return "", invalid(s, "is not a URL: it has no host (network location)")
}

// splitScheme is urlsplit's scheme rule: the text before the first ":" is
// a scheme if it starts with an ASCII letter and holds only letters,
// digits, "+", "-" and ".". The scheme is lowercased.
func splitScheme(t string) (scheme, rest string) {
	i := strings.IndexByte(t, ':')
	if i <= 0 || !isLetter(t[0]) {
		return "", t
	}
	for j := 0; j < i; j++ {
		c := t[j]
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return "", t
		}
	}
	return strings.ToLower(t[:i]), t[i+1:]
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// checkNetloc repeats the checks with which urlsplit raises ValueError.
func checkNetloc(n string) string {
	open, closed := strings.Contains(n, "["), strings.Contains(n, "]")
	if open != closed {
		return "unbalanced brackets in the host"
	}
	if open {
		_, after, _ := strings.Cut(n, "[")
		host, _, _ := strings.Cut(after, "]")
		if strings.HasPrefix(host, "v") {
			if !isIPvFuture(host) {
				return "bad IPvFuture host in brackets"
			}
		} else if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return "only an IPv6 address may stand in brackets"
		}
	}
	if !isASCII(n) {
		// urlsplit refuses a host whose NFKC normalization makes one of
		// these delimiters appear (a spoofing trick).
		m := strings.NewReplacer("@", "", ":", "", "#", "", "?", "").Replace(n)
		if nk := norm.NFKC.String(m); nk != m && strings.ContainsAny(nk, "/?#@:") {
			return "its host changes meaning under Unicode normalization"
		}
	}
	return ""
}

// isIPvFuture checks "v" 1*HEXDIG "." 1*(unreserved / sub-delims / ":").
func isIPvFuture(h string) bool {
	i := 1
	for i < len(h) && isHex(h[i]) {
		i++
	}
	if i == 1 || i >= len(h)-1 || h[i] != '.' {
		return false
	}
	for _, c := range []byte(h[i+1:]) {
		if !isAlnum(c) && !strings.ContainsRune("-._~!$&'()*+,;=:", rune(c)) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// fileLocalhost rebuilds a host-less file URL with host "localhost" the
// way urlunsplit does, which also drops an empty "?" or "#".
func fileLocalhost(scheme, rest string, hadSlashes bool) string {
	if hadSlashes {
		rest = rest[2:]
	}
	path, frag, _ := strings.Cut(rest, "#")
	path, query, _ := strings.Cut(path, "?")
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://localhost")
	if path != "" && path[0] != '/' {
		b.WriteByte('/')
	}
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	if frag != "" {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}
