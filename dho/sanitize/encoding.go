package sanitize

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Base64Encode is how IntelMQ stores a Base64 field (the "raw" field):
// standard alphabet with padding, no line breaks. IntelMQ's Base64
// sanitizer always encodes the value it is given.
func Base64Encode(b []byte) string {
	return base64.StdEncoding.EncodeToString(b)
}

// Base64Decode decodes a Base64 field value. Python's b64decode, which
// IntelMQ uses, requires correct padding but silently skips characters
// outside the alphabet; we skip only whitespace (line breaks of wrapped
// base64) and refuse anything else, so that corrupted data is noticed. The
// URL-safe alphabet is refused, as Python's standard decoder refuses it.
func Base64Decode(s string) ([]byte, error) {
	src := s
	if hasBase64Space(src) {
		src = strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n', '\v', '\f':
				return -1
			}
			return r
		}, src)
	}
	b, err := strictBase64.DecodeString(src)
	if err != nil {
		// Python ignores non-zero trailing bits; be as lenient there.
		b2, err2 := base64.StdEncoding.DecodeString(src)
		if err2 != nil {
			return nil, invalid(s, "is not valid base64 (standard alphabet, padded)")
		}
		return b2, nil
	}
	return b, nil
}

// strictBase64 is the standard encoding refusing non-zero trailing bits.
var strictBase64 = base64.StdEncoding.Strict()

// hasBase64Space reports whether s holds a byte Base64Decode skips: ' ',
// '\t', '\r', '\n', '\v' or '\f'. Base64 text has no byte up to ' ', which
// it rules out eight bytes at a time (unlike strings.ContainsAny, which
// also builds a set on every call).
func hasBase64Space(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// The high bit of a lane is set where the byte is at most ' '
		// (and perhaps, from a borrow, above such a byte): look closer.
		if (x-0x2121212121212121)&^x&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c <= ' ' && (c == ' ' || c >= '\t' && c <= '\r') {
			return true
		}
	}
	return false
}

// Base64 checks that s is valid base64 (as Base64Decode) and returns it
// with whitespace removed, for callers that keep the encoded form.
func Base64(s string) (string, error) {
	b, err := Base64Decode(s)
	if err != nil {
		return "", err
	}
	if enc := Base64Encode(b); enc != s {
		return enc, nil
	}
	return s, nil
}

// JSON is IntelMQ's JSON sanitizer for text: surrounding whitespace is
// stripped and the rest must be one valid JSON value (any kind: object,
// array, string, number ...). The text is kept as given, not re-encoded.
// Python's json module also reads NaN and Infinity, which are not JSON;
// we refuse them.
func JSON(s string) (string, error) {
	t, err := String(s)
	if err != nil {
		return "", err
	}
	if !json.Valid([]byte(t)) {
		return "", invalid(s, "is not valid JSON")
	}
	return t, nil
}

// JSONDict is IntelMQ's JSONDict sanitizer for text (the type of "extra"
// and "output"): a JSON object with at least one member.
func JSONDict(s string) (string, error) {
	t, err := JSON(s)
	if err != nil {
		return "", err
	}
	if t[0] != '{' {
		return "", invalid(s, "is not a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(t), &m); err != nil || len(m) == 0 {
		return "", invalid(s, "is not a non-empty JSON object")
	}
	return t, nil
}

// FieldKey checks a full dotted field name, for example
// "extra.payload.size", against IntelMQ's rule for keys
// (HARMONIZATION_KEY_FORMAT): lowercase ASCII letters, digits and "_" in
// dot-separated parts, the first part at least two characters and not
// starting with a digit.
func FieldKey(key string) error {
	first, rest, _ := strings.Cut(key, ".")
	if len(first) < 2 || isDigit(first[0]) || !isKeyPart(first) {
		return invalid(key, "is not a valid field name (lowercase letters, digits and _, dot-separated)")
	}
	if rest == "" && strings.Contains(key, ".") {
		return invalid(key, "is not a valid field name: empty part")
	}
	if rest != "" {
		return keyParts(key, rest)
	}
	return nil
}

// JSONDictKey checks the part of an "extra." key after the prefix, e.g.
// "payload.size" for "extra.payload.size": IntelMQ requires lowercase ASCII
// letters, digits and "_" in non-empty dot-separated parts. So "Payload",
// "a-b", "a..b" and "" are refused; "1st" and "_x" pass.
func JSONDictKey(key string) error {
	return keyParts(key, key)
}

func keyParts(key, rest string) error {
	for {
		part, more, found := strings.Cut(rest, ".")
		if part == "" || !isKeyPart(part) {
			return invalid(key, "is not a valid key (lowercase letters, digits and _, dot-separated)")
		}
		if !found {
			return nil
		}
		rest = more
	}
}

func isKeyPart(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
