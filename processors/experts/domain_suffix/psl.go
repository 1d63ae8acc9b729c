package domainsuffix

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// List is the ICANN part of a public suffix list: normal rules, wildcard
// rules (stored without their "*.") and exception rules (without "!"), all
// in ASCII (punycode) form.
type List struct {
	rules, wildcards, exceptions map[string]bool
}

var toASCII = idna.New(idna.MapForLookup(), idna.Transitional(true), idna.StrictDomainName(false))

// ParseList reads a list in the public suffix list format, keeping the
// rules between "// ===BEGIN ICANN DOMAINS===" and "// ===END ICANN
// DOMAINS===" (private rules such as blogspot.com are ignored, as by
// IntelMQ). Unicode rules are converted to punycode.
func ParseList(r io.Reader) (*List, error) {
	l := &List{rules: map[string]bool{}, wildcards: map[string]bool{}, exceptions: map[string]bool{}}
	sc := bufio.NewScanner(r)
	icann, n, lineNo := false, 0, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		switch line {
		case "// ===BEGIN ICANN DOMAINS===":
			icann = true
		case "// ===END ICANN DOMAINS===":
			icann = false
		}
		if !icann || line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		line, _, _ = strings.Cut(line, " ")
		set := l.rules
		switch {
		case strings.HasPrefix(line, "!"):
			set, line = l.exceptions, line[1:]
		case strings.HasPrefix(line, "*."):
			set, line = l.wildcards, line[2:]
		}
		a, err := toASCII.ToASCII(line)
		if err != nil || a == "" || strings.Contains(a, "*") {
			return nil, fmt.Errorf("line %d: %q is not a rule", lineNo, line)
		}
		set[strings.ToLower(a)] = true
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("no ICANN rules (between \"// ===BEGIN ICANN DOMAINS===\" and \"// ===END ICANN DOMAINS===\")")
	}
	return l, nil
}

// Suffix returns the public suffix of a domain in ASCII form, by the
// list's rules: an exception rule gives the rule without its first label,
// else the longest matching rule, else the last label (the rule "*").
func (l *List) Suffix(domain string) string {
	domain = strings.ToLower(strings.Trim(domain, "."))
	if domain == "" {
		return ""
	}
	for i := 0; ; {
		s := domain[i:]
		if l.exceptions[s] {
			_, rest, _ := strings.Cut(s, ".")
			return rest
		}
		if l.rules[s] {
			return s
		}
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return s
		}
		if l.wildcards[s[dot+1:]] {
			return s
		}
		i += dot + 1
	}
}

// embeddedSuffix is the ICANN public suffix from the list compiled into
// golang.org/x/net/publicsuffix. That list holds private rules too; when
// one matches, the suffix is looked up again without its first label until
// an ICANN rule (or the default rule) gives it.
func embeddedSuffix(domain string) string {
	domain = strings.ToLower(strings.Trim(domain, "."))
	for domain != "" {
		s, icann := publicsuffix.PublicSuffix(domain)
		if icann || !strings.Contains(s, ".") {
			return s
		}
		_, domain, _ = strings.Cut(s, ".")
	}
	return ""
}
