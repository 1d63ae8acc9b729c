package dho

// Type is the value type of a field. It decides how a value is sanitized and
// validated, and how it is stored in the Go structs. The names are IntelMQ's
// harmonization type names, so that IntelMQ configurations that name types
// keep working; UUID is DHO 2.0's own.
type Type uint8

// The value types. The zero Type is invalid so that a forgotten type in the
// field table is caught by the registry's tests.
const (
	TypeInvalid Type = iota
	// TypeString is free text: any non-empty string.
	TypeString
	// TypeLowercaseString is text that is stored lowercased.
	TypeLowercaseString
	// TypeUppercaseString is text that is stored uppercased.
	TypeUppercaseString
	// TypeIPAddress is one IPv4 or IPv6 address in canonical form.
	TypeIPAddress
	// TypeIPNetwork is an IPv4 or IPv6 network in CIDR notation.
	TypeIPNetwork
	// TypeFQDN is a fully qualified domain name, lowercase, IDNA-encoded.
	TypeFQDN
	// TypeURL is an absolute URL.
	TypeURL
	// TypeASN is an autonomous system number (1 to 4294967295).
	TypeASN
	// TypeInteger is a signed 64-bit integer.
	TypeInteger
	// TypeFloat is a finite 64-bit floating point number.
	TypeFloat
	// TypeAccuracy is a float from 0 to 100.
	TypeAccuracy
	// TypeBoolean is true or false.
	TypeBoolean
	// TypeDateTime is an instant, kept in UTC with microsecond precision.
	TypeDateTime
	// TypeTLP is a Traffic Light Protocol level.
	TypeTLP
	// TypeRegistry is the name of a regional internet registry.
	TypeRegistry
	// TypeClassificationTaxonomy is one of the taxonomies of the classification table.
	TypeClassificationTaxonomy
	// TypeClassificationType is one of the types of the classification table.
	TypeClassificationType
	// TypeBase64 is binary data, written as standard base64 in JSON.
	TypeBase64
	// TypeJSON is a string that holds a JSON document.
	TypeJSON
	// TypeJSONDict is a dictionary of named values of any JSON kind (extra).
	TypeJSONDict
	// TypeUUID is a UUID in its lowercase 8-4-4-4-12 hexadecimal form.
	TypeUUID
	typeCount
)

var typeInfo = [typeCount]struct {
	name string
	doc  string
}{
	TypeInvalid:                {"Invalid", "not a type"},
	TypeString:                 {"String", "Free text; empty values are not stored."},
	TypeLowercaseString:        {"LowercaseString", "Free text, stored in lower case."},
	TypeUppercaseString:        {"UppercaseString", "Free text, stored in upper case."},
	TypeIPAddress:              {"IPAddress", "An IPv4 or IPv6 address, stored in canonical form (IPv6 compressed, lower case)."},
	TypeIPNetwork:              {"IPNetwork", "An IPv4 or IPv6 network in CIDR notation, stored in canonical form."},
	TypeFQDN:                   {"FQDN", "A fully qualified domain name: lower case, no trailing dot, internationalized names in their IDNA (punycode) form; IP addresses are refused."},
	TypeURL:                    {"URL", "A URL with a host (the scheme may be left out, as in //example.org/x); defanged hxxp and hxxps schemes are restored."},
	TypeASN:                    {"ASN", "An autonomous system number from 1 to 4294967295; an \"AS\" prefix is accepted on input."},
	TypeInteger:                {"Integer", "A signed 64-bit integer."},
	TypeFloat:                  {"Float", "A finite floating point number."},
	TypeAccuracy:               {"Accuracy", "A float from 0 to 100 (percent)."},
	TypeBoolean:                {"Boolean", "true or false."},
	TypeDateTime:               {"DateTime", "An instant in time, stored in UTC with microsecond precision and written as ISO 8601 with offset (2006-01-02T15:04:05+00:00)."},
	TypeTLP:                    {"TLP", "A Traffic Light Protocol level: WHITE, GREEN, AMBER or RED (TLP 2.0's CLEAR is stored as WHITE, as IntelMQ does)."},
	TypeRegistry:               {"Registry", "A regional internet registry: AFRINIC, APNIC, ARIN, LACNIC or RIPE."},
	TypeClassificationTaxonomy: {"ClassificationTaxonomy", "A taxonomy of the classification table (see the taxonomy package)."},
	TypeClassificationType:     {"ClassificationType", "A type of the classification table (see the taxonomy package)."},
	TypeBase64:                 {"Base64", "Binary data; written in JSON as standard base64 with padding."},
	TypeJSON:                   {"JSON", "A string holding a JSON document."},
	TypeJSONDict:               {"JSONDict", "A dictionary of named values that keep their JSON kind (string, integer, float, boolean, list, object, null)."},
	TypeUUID:                   {"UUID", "A UUID in lower case 8-4-4-4-12 hexadecimal form."},
}

// String returns the type's name as IntelMQ spells it.
func (t Type) String() string {
	if t >= typeCount {
		return "Invalid"
	}
	return typeInfo[t].name
}

// Doc describes the values of the type and how they are normalized.
func (t Type) Doc() string {
	if t >= typeCount {
		return ""
	}
	return typeInfo[t].doc
}

// Types lists every valid value type.
func Types() []Type {
	ts := make([]Type, 0, typeCount-1)
	for t := TypeInvalid + 1; t < typeCount; t++ {
		ts = append(ts, t)
	}
	return ts
}

// ParseType returns the type with the given name (IntelMQ's spelling).
func ParseType(name string) (Type, bool) {
	for t := TypeInvalid + 1; t < typeCount; t++ {
		if typeInfo[t].name == name {
			return t, true
		}
	}
	return TypeInvalid, false
}

// storage is how a field's values are held in the Go structs. Several value
// types share one storage; the type decides sanitation, the storage decides
// which accessor reads and writes the value.
type storage uint8

const (
	stString  storage = iota + 1 // string, "" means unset
	stStrings                    // []string, nil means unset
	stInt                        // *int64
	stInts                       // []int64
	stFloat                      // *float64
	stBool                       // *bool
	stTime                       // *time.Time
	stBytes                      // []byte
	stExtra                      // Extra
)

func storageOf(t Type, multi bool) storage {
	switch t {
	case TypeASN, TypeInteger:
		if multi {
			return stInts
		}
		return stInt
	case TypeFloat, TypeAccuracy:
		return stFloat
	case TypeBoolean:
		return stBool
	case TypeDateTime:
		return stTime
	case TypeBase64:
		return stBytes
	case TypeJSONDict:
		return stExtra
	}
	if multi {
		return stStrings
	}
	return stString
}
