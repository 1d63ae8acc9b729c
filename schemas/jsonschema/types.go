package jsonschema

import (
	"math"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/dho/taxonomy"
)

// The regular expressions below are written in the common subset of
// ECMA-262 (which JSON Schema names) and Go's RE2 syntax: no lookaround, no
// backreferences, [0-9] rather than \d. They describe values as the
// sanitizers of package dho/sanitize leave them, not every input those
// accept.

const (
	ipv4Octet = `(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`
	// ipv4 is a dotted quad without leading zeros, as the sanitizer prints it.
	ipv4 = ipv4Octet + `(?:\.` + ipv4Octet + `){3}`
	h16  = `[0-9a-f]{1,4}`
	// fqdnLabel is one label of a sanitized FQDN: 1 to 63 printable ASCII
	// characters (Unicode names are in their punycode form), except the
	// ones the sanitizer refuses (whitespace, ":", "/", "?", "#"), the dot
	// and capital letters. "_" and "*" stay allowed: feeds carry
	// "_dmarc.example.com" and "*.example.com".
	fqdnLabel = `[!"$-\-0-9;->@\[-~]{1,63}`
	// urlControl are the characters the URL sanitizer refuses anywhere.
	urlControl = `\x00-\x1f\x7f`
)

// ipv6 is RFC 3986's IPv6address in lower case, the nine ways of placing
// "::" spelled out, as regular expressions without lookahead must.
var ipv6 = func() string {
	ls32 := `(?:` + h16 + `:` + h16 + `|` + ipv4 + `)`
	rep := func(n int) string { // n times "h16:"
		if n == 0 {
			return ""
		}
		return `(?:` + h16 + `:){` + strconv.Itoa(n) + `}`
	}
	upTo := func(n int) string { // ( *n( h16 ":" ) h16 )?
		if n == 0 {
			return `(?:` + h16 + `)?`
		}
		return `(?:(?:` + h16 + `:){0,` + strconv.Itoa(n) + `}` + h16 + `)?`
	}
	alts := []string{
		rep(6) + ls32,
		`::` + rep(5) + ls32,
		upTo(0) + `::` + rep(4) + ls32,
		upTo(1) + `::` + rep(3) + ls32,
		upTo(2) + `::` + rep(2) + ls32,
		upTo(3) + `::` + h16 + `:` + ls32,
		upTo(4) + `::` + ls32,
		upTo(5) + `::` + h16,
		upTo(6) + `::`,
	}
	return `(?:` + strings.Join(alts, `|`) + `)`
}()

// The patterns of the value types (see typeSchema).
var (
	patIPNetwork = `^(?:` + ipv4 + `/(?:3[0-2]|[12]?[0-9])|` + ipv6 + `/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))$`
	patIPChars   = `^[0-9a-f.:]+$`
	patFQDN      = `^` + fqdnLabel + `(?:\.` + fqdnLabel + `)*$`
	patIPv4      = `^` + ipv4 + `$`
	// patURL: an optional scheme (urlsplit's rule), then "//" and a
	// non-empty network location, and no control characters anywhere.
	patURL = `^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^` + urlControl + `/?#][^` + urlControl + `]*$`
	// patDateTime: years 0001 to 9999, as Python's datetime and dho's
	// decoder take them (the date-time format alone lets year 0000 pass).
	patDateTime = `^(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?\+00:00$`
	patBase64   = `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$`
	patUUID     = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	patLower    = `^[^A-Z]*$`
	patUpper    = `^[^a-z]*$`
	// patExtraKey is IntelMQ's rule for the part of an extra key after
	// "extra.": lowercase ASCII letters, digits and "_" in non-empty
	// dot-separated parts.
	patExtraKey = `[a-z0-9_]+(?:\.[a-z0-9_]+)*`
)

// tlpLevels are the TLP levels as the TLP sanitizer stores them.
var tlpLevels = []string{sanitize.TLPWhite, sanitize.TLPGreen, sanitize.TLPAmber, sanitize.TLPRed}

// typeSchema returns the schema of one value of type t, without the
// field's own limits. JSONDict has none: "extra" is handled by the record.
func typeSchema(t dho.Type) *object {
	o := &object{}
	o.set("title", t.String())
	o.set("description", t.Doc())
	str := func() { o.set("type", "string") }
	switch t {
	case dho.TypeString:
		str()
		o.set("minLength", 1)
	case dho.TypeLowercaseString:
		str()
		o.set("minLength", 1)
		o.set("pattern", patLower)
	case dho.TypeUppercaseString:
		str()
		o.set("minLength", 1)
		o.set("pattern", patUpper)
	case dho.TypeIPAddress:
		str()
		o.set("pattern", patIPChars)
		o.set("anyOf", []any{&object{{"format", "ipv4"}}, &object{{"format", "ipv6"}}})
		// The sanitizer refuses the unspecified IPv4 address (not "::").
		o.set("not", &object{{"const", "0.0.0.0"}})
	case dho.TypeIPNetwork:
		str()
		o.set("pattern", patIPNetwork)
	case dho.TypeFQDN:
		str()
		o.set("pattern", patFQDN)
		o.set("not", &object{{"pattern", patIPv4}})
	case dho.TypeURL:
		str()
		o.set("pattern", patURL)
		// Defanged schemes are restored by the sanitizer.
		o.set("not", &object{{"pattern", `hxxps?://`}})
	case dho.TypeASN:
		o.set("type", "integer")
		o.set("minimum", 1)
		o.set("maximum", int64(math.MaxUint32))
	case dho.TypeInteger:
		o.set("type", "integer")
		o.set("minimum", int64(math.MinInt64))
		o.set("maximum", int64(math.MaxInt64))
	case dho.TypeFloat:
		o.set("type", "number")
	case dho.TypeAccuracy:
		o.set("type", "number")
		o.set("minimum", 0)
		o.set("maximum", 100)
	case dho.TypeBoolean:
		o.set("type", "boolean")
	case dho.TypeDateTime:
		str()
		o.set("format", "date-time")
		o.set("pattern", patDateTime)
	case dho.TypeTLP:
		str()
		o.set("enum", tlpLevels)
	case dho.TypeRegistry:
		str()
		o.set("enum", sanitize.Registries)
	case dho.TypeClassificationTaxonomy:
		str()
		o.set("enum", taxonomy.Taxonomies())
	case dho.TypeClassificationType:
		str()
		var names []string
		for _, ct := range taxonomy.Types() {
			names = append(names, ct.Name)
		}
		o.set("enum", names)
	case dho.TypeBase64:
		str()
		o.set("contentEncoding", "base64")
		o.set("pattern", patBase64)
	case dho.TypeJSON:
		str()
		o.set("minLength", 1)
		o.set("contentMediaType", "application/json")
	case dho.TypeUUID:
		str()
		o.set("format", "uuid")
		o.set("pattern", patUUID)
	default:
		panic("jsonschema: no schema for type " + t.String())
	}
	return o
}

// extraSchema is the schema of the "extra" key itself, which the decoder
// reads (as IntelMQ before 1.1 wrote it) but the writer never writes: an
// object of extra values, or a string holding one.
func extraSchema(f dho.Field) *object {
	obj := &object{
		{"type", "object"},
		{"propertyNames", &object{{"pattern", "^" + patExtraKey + "$"}}},
	}
	o := &object{}
	o.set("description", f.Doc)
	o.set("$comment", "The key \"extra\" itself is read, never written: one object of the extra values, "+
		"or a string holding that object, as IntelMQ before 1.1 wrote it.")
	o.set("x-dho-type", f.Type.String())
	o.set("x-dho-since", f.Since)
	o.set("x-dho-intelmq", f.IntelMQ)
	o.set("anyOf", []any{obj, &object{
		{"type", "string"},
		{"contentMediaType", "application/json"},
		{"contentSchema", obj},
	}})
	return o
}
