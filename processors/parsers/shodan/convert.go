package shodan

import (
	"errors"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// errNoValue says that a banner value cannot be used (an empty list, a
// list of objects that are not all objects ...): the field is left out.
var errNoValue = errors.New("no usable value")

// conversions turn some banner values, by their dotted path, into the
// value the field takes. An errNoValue leaves the field out; any other
// error fails the banner, as in IntelMQ.
var conversions = map[string]func(jsonv.Value) (jsonv.Value, error){
	"ftp.features":                   dictsToList,
	"vulns":                          dictsToList,
	"timestamp":                      utcTimestamp,
	"hostnames":                      firstFQDN,
	"domains":                        firstFQDN,
	"coap.resources":                 keysOf,
	"http.components":                keysOf,
	"mac":                            keysOf,
	"rsync.modules":                  keysOf,
	"opts.ldap.supportedControl":     asList,
	"opts.ldap.supportedLDAPVersion": asList,
	"ssl.cert.serial":                pyStr,
	"ssl.dhparams.generator":         pyStr,
}

// utcTimestamp marks Shodan's zone-less UTC timestamp as UTC. Only text
// can be marked.
func utcTimestamp(v jsonv.Value) (jsonv.Value, error) {
	if v.Kind != jsonv.String {
		return v, fmt.Errorf("the timestamp is a JSON %s, not text", v.Kind)
	}
	return jsonv.Str(v.S + "+00"), nil
}

// firstFQDN picks the first item that is a valid domain name (the items of
// a list, the characters of a text, the keys of an object: what Python
// iterates).
func firstFQDN(v jsonv.Value) (jsonv.Value, error) {
	var items []jsonv.Value
	switch v.Kind {
	case jsonv.Array:
		items = v.Elems
	case jsonv.Object:
		for _, k := range v.Keys {
			items = append(items, jsonv.Str(k))
		}
	case jsonv.String:
		for _, r := range v.S {
			items = append(items, jsonv.Str(string(r)))
		}
	default:
		return v, fmt.Errorf("a JSON %s is no list of names", v.Kind)
	}
	var probe dho.Event
	for _, it := range items {
		if it.Kind == jsonv.String && it.S != "" && probe.SetText("source.fqdn", it.S) == nil {
			return it, nil
		}
	}
	return v, errNoValue
}

// keysOf lists the keys of an object.
func keysOf(v jsonv.Value) (jsonv.Value, error) {
	if v.Kind != jsonv.Object {
		return v, errNoValue
	}
	out := jsonv.List()
	for _, k := range v.Keys {
		out.Elems = append(out.Elems, jsonv.Str(k))
	}
	return out, nil
}

// asList makes a single value a list of one; lists stay as they are.
func asList(v jsonv.Value) (jsonv.Value, error) {
	if v.Kind == jsonv.Array {
		return v, nil
	}
	return jsonv.List(v), nil
}

// dictsToList turns an object of objects into a list of the inner
// objects, each with its key under "identifier" ({"CVE-1": {...}} becomes
// [{..., "identifier": "CVE-1"}]). An inner value that is no object makes
// the whole value unusable.
func dictsToList(v jsonv.Value) (jsonv.Value, error) {
	if v.Kind != jsonv.Object {
		return v, fmt.Errorf("a JSON %s is no object of objects", v.Kind)
	}
	out := jsonv.List()
	for i, k := range v.Keys {
		inner := v.Elems[i]
		if inner.Kind != jsonv.Object {
			return v, errNoValue
		}
		inner = inner.Clone()
		inner.Set("identifier", jsonv.Str(k))
		out.Elems = append(out.Elems, inner)
	}
	return out, nil
}

// pyStr is Python's str() of the value.
func pyStr(v jsonv.Value) (jsonv.Value, error) { return jsonv.Str(v.PyStr()), nil }
