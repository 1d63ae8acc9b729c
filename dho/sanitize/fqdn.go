package sanitize

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile converts non-ASCII labels as Python's "idna" codec (IDNA
// 2003, which IntelMQ uses) does in practice: UTS #46 mapping with
// transitional processing maps "ß" to "ss" and final sigma to sigma as
// nameprep does, lowercases, and punycodes what stays non-ASCII. STD3 rules
// are off because Python's codec does not apply them either: underscores
// and "*" stay allowed.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(true),
	idna.StrictDomainName(false),
)

// FQDN is IntelMQ's FQDN sanitizer: surrounding whitespace and leading and
// trailing dots are stripped, Unicode names are converted to their ASCII
// (punycode, "xn--") form, and the result is lowercased. IntelMQ stores the
// ASCII form, so "Bücher.example" becomes "xn--bcher-kva.example".
//
// Like IntelMQ it refuses IP addresses, names containing ":" (a port,
// "10.0.0.1:8080"), "/", "?" or "#" (a URL, not a name), empty labels
// ("a..b") and labels longer than 63 characters. Beyond IntelMQ it also
// refuses whitespace and control characters inside the name, which
// Python's codec lets through but no DNS name can hold. Other characters
// are kept: feeds carry names like "_dmarc.example.com" and
// "*.example.com".
func FQDN(s string) (string, error) {
	t := trimSpace(s)
	t = strings.Trim(t, ".")
	if t == "" {
		return "", invalid(s, "is not a domain name: it is empty")
	}
	if !isASCII(t) {
		if !utf8.ValidString(t) {
			return "", invalid(s, "is not valid UTF-8")
		}
		for _, r := range t {
			if isPySpace(r) || r < ' ' || (r >= 0x7f && r < 0xa0) {
				return "", invalid(s, "is not a domain name: it contains whitespace or a control character")
			}
		}
		a, err := toASCII(t)
		if err != nil {
			return "", invalid(s, "is not a domain name: "+err.Error())
		}
		t = strings.Trim(a, ".")
		if t == "" {
			return "", invalid(s, "is not a domain name")
		}
	}
	// Checked after the IDNA mapping, which can itself produce these
	// characters (U+00B8 maps to a space, U+FF1A to ":").
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c <= ' ' || c == 0x7f {
			return "", invalid(s, "is not a domain name: it contains whitespace or a control character")
		}
		switch c {
		case ':', '/', '?', '#':
			return "", invalid(s, "is not a domain name: it contains "+strconv.QuoteRune(rune(c)))
		}
	}
	if err := checkLabels(t); err != "" {
		return "", invalid(s, "is not a domain name: "+err)
	}
	t = toLower(t)
	if _, ok := parseIPv4(t); ok {
		return "", invalid(s, "is an IP address, not a domain name")
	}
	return t, nil
}

// toASCII converts label by label, as Python's codec does, so that ASCII
// labels pass through untouched (no STD3 or bidi checks on them) and only
// Unicode labels go through the IDNA mapping.
func toASCII(t string) (string, error) {
	// Python splits on the ideographic and fullwidth full stops too.
	t = strings.NewReplacer("\u3002", ".", "\uff0e", ".", "\uff61", ".").Replace(t)
	labels := strings.Split(t, ".")
	for i, l := range labels {
		if isASCII(l) {
			continue
		}
		a, err := idnaProfile.ToASCII(l)
		if err != nil {
			return "", err
		}
		labels[i] = a
	}
	return strings.Join(labels, "."), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkLabels applies the one rule Python's codec applies to ASCII labels:
// each is 1 to 63 characters long.
func checkLabels(t string) string {
	n := 0
	for i := 0; i <= len(t); i++ {
		if i == len(t) || t[i] == '.' {
			if n == 0 {
				return "empty label"
			}
			if n > 63 {
				return "label longer than 63 characters"
			}
			n = 0
			continue
		}
		n++
	}
	return ""
}
