// Package jsonschema is the JSON Schema (draft 2020-12) of DHO's flat JSON
// form, generated from the field registry of package dho: Event and Report
// return the schema documents, Validate checks a document against one.
//
// One schema covers both flat modes (see dho.FlatMode): every field has a
// property under its dotted name, a multi-valued field takes one value or a
// non-empty list of distinct values, "extra.NAME" keys follow IntelMQ's name
// rule and take any JSON value, and "extra.dho.FIELD" keys (IntelMQ's form
// of what IntelMQ cannot hold) take the values of FIELD. Any other key is
// refused. "__type" is optional.
//
// The schema describes canonical data: values as dho stores them after
// sanitation, as MarshalFlat writes them. So "source.ip" must be an address
// in canonical form, times are "2006-01-02T15:04:05+00:00" (with six
// fraction digits when there are microseconds), integers are JSON numbers,
// unset fields are absent rather than null. The decoder of package dho
// accepts much more (IntelMQ's input forms) and sanitizes it; check raw feed
// data with dho, not with this schema.
//
// Where a JSON Schema "format" is stricter than dho, the schema uses a
// pattern instead, so that it never refuses what dho writes: domain names
// are not "format": "hostname" (dho keeps "_" and "*", which feeds carry in
// "_dmarc.example.com" and "*.example.com"), URLs are not "format": "uri"
// (dho keeps URLs as the feed wrote them, as IntelMQ does: a scheme-less
// "//host/path", spaces or invalid percent escapes in the path, a port that
// is no number). Each field also carries its registry entry as annotations:
// "x-dho-type", "x-dho-multi", "x-dho-since" and "x-dho-intelmq".
//
// Validate is built on github.com/santhosh-tekuri/jsonschema/v6 with format
// and content assertion on (draft 2020-12 treats "format" as an annotation
// only unless asked). Its errors name the refused key as a JSON pointer
// ("/source.ip").
package jsonschema
