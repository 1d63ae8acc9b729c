package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/intelstream/intelstream/dho/taxonomy"
)

// isPySpace reports whether r is whitespace for Python's str.strip(),
// which IntelMQ applies to every string value. Python counts the ASCII
// information separators U+001C..U+001F as whitespace; Go's unicode.IsSpace
// does not, otherwise the two agree.
func isPySpace(r rune) bool {
	if r < utf8.RuneSelf {
		switch r {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f:
			return true
		}
		return false
	}
	return unicode.IsSpace(r)
}

// trimSpace strips leading and trailing whitespace as Python's str.strip()
// does. It returns s itself (no copy) and is cheap when there is nothing to
// strip.
func trimSpace(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c > ' ' && c < utf8.RuneSelf {
		if c := s[len(s)-1]; c > ' ' && c < utf8.RuneSelf {
			return s
		}
	}
	return strings.TrimFunc(s, isPySpace)
}

// String is IntelMQ's String (GenericType) sanitizer: surrounding whitespace
// is stripped and what remains must not be empty.
//
// IntelMQ decodes bytes that are not valid UTF-8 by dropping them; we
// refuse such a value instead, as dropping bytes changes it silently.
func String(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(s, "is not valid UTF-8")
	}
	t := trimSpace(s)
	if t == "" {
		if s == "" {
			return "", invalid(s, "is empty")
		}
		return "", invalid(s, "is only whitespace")
	}
	return t, nil
}

// LowercaseString is IntelMQ's LowercaseString: String, lowercased.
// Unicode letters are lowercased by Go's simple case mapping, which for a
// few characters (such as U+0130, dotted capital I) differs from Python's
// full mapping.
func LowercaseString(s string) (string, error) {
	t, err := String(s)
	if err != nil {
		return "", err
	}
	return toLower(t), nil
}

// UppercaseString is IntelMQ's UppercaseString: String, uppercased (Go's
// simple case mapping: "ß" stays "ß" where Python makes it "SS").
func UppercaseString(s string) (string, error) {
	t, err := String(s)
	if err != nil {
		return "", err
	}
	return toUpper(t), nil
}

// toLower is strings.ToLower without a copy when s has no ASCII capital
// and is pure ASCII (strings.ToLower already returns s then, but only
// after a second scan).
func toLower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

func toUpper(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('a' <= c && c <= 'z') {
			return strings.ToUpper(s)
		}
	}
	return s
}

// CountryCode sanitizes an ISO 3166-1 alpha-2 country code field
// (source.geolocation.cc and friends): IntelMQ stores these as
// UppercaseString with length 2 and the pattern ^[a-zA-Z0-9]{2}$, so
// digits pass (feeds use codes like "A1" or "ZZ") and the result is
// uppercase.
func CountryCode(s string) (string, error) {
	t, err := String(s)
	if err != nil {
		return "", err
	}
	if len(t) != 2 || !isAlnum(t[0]) || !isAlnum(t[1]) {
		return "", invalid(s, "is not a two-character country code")
	}
	return toUpper(t), nil
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// TLP levels as IntelMQ 3.3 stores them: bare, uppercase, TLP 1.0 names.
const (
	TLPWhite = "WHITE"
	TLPGreen = "GREEN"
	TLPAmber = "AMBER"
	TLPRed   = "RED"
)

// TLP is IntelMQ's TLP sanitizer: case-insensitive, an optional "TLP" or
// "TLP:" prefix and whitespace after it are dropped ("tlp:amber",
// "TLP: RED", "green" all pass), "YELLOW" becomes AMBER, and the result is
// one of WHITE, GREEN, AMBER, RED.
//
// Beyond IntelMQ 3.3, the TLP 2.0 name CLEAR is accepted and stored as
// WHITE, its TLP 1.0 equivalent, so that the stored values stay those
// IntelMQ knows. AMBER+STRICT is refused: it has no IntelMQ equivalent, and
// storing it as AMBER would loosen the sharing restriction.
func TLP(s string) (string, error) {
	t, err := UppercaseString(s)
	if err != nil {
		return "", err
	}
	// IntelMQ: re.sub(r'^(TLP:?)?\s*', '', value) on the uppercased value.
	if strings.HasPrefix(t, "TLP") {
		t = t[3:]
		t = strings.TrimPrefix(t, ":")
	}
	t = strings.TrimLeftFunc(t, isPySpace)
	switch t {
	case TLPWhite, TLPGreen, TLPAmber, TLPRed:
		return t, nil
	case "YELLOW":
		return TLPAmber, nil
	case "CLEAR":
		return TLPWhite, nil
	case "AMBER+STRICT":
		return "", invalid(s, "is TLP:AMBER+STRICT, which IntelMQ's TLP levels (WHITE, GREEN, AMBER, RED) cannot hold without loosening it")
	}
	return "", invalid(s, "is not a TLP level (WHITE/CLEAR, GREEN, AMBER, RED)")
}

// Registries are the regional internet registries IntelMQ accepts.
var Registries = []string{"AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE"}

// Registry is IntelMQ's Registry sanitizer: uppercased, "RIPENCC" and
// "RIPE-NCC" become RIPE, and the result must be AFRINIC, APNIC, ARIN,
// LACNIC or RIPE. Like IntelMQ we do not accept "RIPE NCC" with a space.
func Registry(s string) (string, error) {
	t, err := UppercaseString(s)
	if err != nil {
		return "", err
	}
	switch t {
	case "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE":
		return t, nil
	case "RIPENCC", "RIPE-NCC":
		return "RIPE", nil
	}
	return "", invalid(s, "is not a regional internet registry (AFRINIC, APNIC, ARIN, LACNIC, RIPE)")
}

// ClassificationTaxonomy is IntelMQ's ClassificationTaxonomy sanitizer:
// lowercased, the old spellings with a space ("malicious code") renamed,
// and the result must be a taxonomy of package taxonomy.
func ClassificationTaxonomy(s string) (string, error) {
	t, err := LowercaseString(s)
	if err != nil {
		return "", err
	}
	if c, ok := taxonomy.CanonicalTaxonomy(t); ok {
		return c, nil
	}
	return "", invalid(s, "is not a classification taxonomy")
}

// ClassificationType is IntelMQ's ClassificationType sanitizer:
// lowercased, IntelMQ 2.x names renamed ("botnet drone" → infected-system,
// "c&c" → c2-server, "unknown" → undetermined ...; see
// taxonomy.LegacyTypes), and the result must be a type of package taxonomy.
func ClassificationType(s string) (string, error) {
	t, err := LowercaseString(s)
	if err != nil {
		return "", err
	}
	if c, ok := taxonomy.CanonicalType(t); ok {
		return c, nil
	}
	return "", invalid(s, "is not a classification type")
}

// ClassificationIdentifier sanitizes classification.identifier. IntelMQ's
// harmonization types it as a plain String: its documentation asks for
// lowercase, but the sanitizer does not lowercase, and neither do we, so
// that identifiers compare equal to IntelMQ's.
func ClassificationIdentifier(s string) (string, error) {
	return String(s)
}
