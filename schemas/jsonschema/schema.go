package jsonschema

import (
	"bytes"
	"slices"
	"sync"

	"github.com/intelstream/intelstream/dho"
)

// Draft is the JSON Schema dialect of the generated schemas.
const Draft = "https://json-schema.org/draft/2020-12/schema"

// The schemas' $id: names, not addresses that are fetched.
const (
	// EventID is the $id of the event schema.
	EventID = "https://intelstream.dev/schemas/dho/" + dho.Version + "/event.json"
	// ReportID is the $id of the report schema.
	ReportID = "https://intelstream.dev/schemas/dho/" + dho.Version + "/report.json"
)

// Event returns the JSON Schema of a DHO event in the flat JSON form. The
// caller may keep and change the returned slice.
func Event() []byte { return bytes.Clone(eventSchema()) }

// Report returns the JSON Schema of a DHO report in the flat JSON form. The
// caller may keep and change the returned slice.
func Report() []byte { return bytes.Clone(reportSchema()) }

var (
	eventSchema = sync.OnceValue(func() []byte {
		return generate(record{
			id: EventID, typeName: "Event", fields: dho.Fields(),
			title: "DHO " + dho.Version + " event (flat JSON)",
			what:  "A DHO " + dho.Version + " event",
		})
	})
	reportSchema = sync.OnceValue(func() []byte {
		return generate(record{
			id: ReportID, typeName: "Report", fields: dho.ReportFields(),
			title: "DHO " + dho.Version + " report (flat JSON)",
			what:  "A DHO " + dho.Version + " report (data as a collector fetched it)",
		})
	})
)

// record is what differs between the event and the report schema.
type record struct {
	id, typeName, title, what string
	fields                    []dho.Field
}

const extraDHO = "extra.dho."

// generate builds one record's schema from the field registry.
func generate(r record) []byte {
	root := &object{}
	root.set("$schema", Draft)
	root.set("$id", r.id)
	root.set("title", r.title)
	root.set("description", r.what+" in the flat JSON form: one object whose keys are dotted field names "+
		"(\"source.ip\"), with extra values as \"extra.NAME\" keys and the message type in \"__type\". "+
		"It accepts both flat modes: IntelMQ's, where fields IntelMQ lacks and the second and further values "+
		"of multi-valued fields travel as \"extra.dho.NAME\" keys, and DHO's, where every field has its own key "+
		"and several values form a list. Values are described as DHO stores them after sanitation (canonical "+
		"addresses, lower-case names, times in UTC); raw feed data needs the dho package's sanitizers first. "+
		"Generated from the dho field registry.")
	root.set("x-dho-version", dho.Version)
	root.set("type", "object")

	props := &object{}
	props.set("__type", &object{
		{"description", "The message type; optional (IntelMQ's file output leaves it out)."},
		{"const", r.typeName},
	})
	var used []dho.Type
	var dhoKeys []dho.Field // fields that may also travel as extra.dho.NAME
	for _, f := range r.fields {
		if f.Type == dho.TypeJSONDict {
			props.set(f.Name, extraSchema(f))
			continue
		}
		if !slices.Contains(used, f.Type) {
			used = append(used, f.Type)
		}
		props.set(f.Name, fieldSchema(f))
		dhoKeys = append(dhoKeys, f)
	}
	for _, f := range dhoKeys {
		props.set(extraDHO+f.Name, &object{
			{"description", extraDHODoc(f)},
			{"$ref", "#/properties/" + f.Name},
		})
	}
	root.set("properties", props)
	root.set("patternProperties", &object{
		{`^extra\.` + patExtraKey + `$`, &object{
			{"description", "An extra value: anything the feed says that has no field of its own, of any JSON kind. " +
				"Names follow IntelMQ's rule: lowercase letters, digits and underscores in dot-separated parts. " +
				"Names \"dho.FIELD\" are reserved for DHO fields in IntelMQ's form."},
		}},
	})
	root.set("additionalProperties", false)

	slices.Sort(used)
	defs := &object{}
	for _, t := range used {
		defs.set(t.String(), typeSchema(t))
	}
	root.set("$defs", defs)
	return marshalIndent(root)
}

// fieldSchema is the schema of one field's key: its value type with the
// field's own limits, as one value or, for a multi-valued field, also as a
// non-empty list of distinct values.
func fieldSchema(f dho.Field) *object {
	o := &object{}
	o.set("description", f.Doc)
	o.set("x-dho-type", f.Type.String())
	if f.Multi {
		o.set("x-dho-multi", true)
	}
	o.set("x-dho-since", f.Since)
	o.set("x-dho-intelmq", f.IntelMQ)
	one := valueSchema(f)
	if !f.Multi {
		return appendAll(o, one)
	}
	o.set("anyOf", []any{one, &object{
		{"type", "array"},
		{"minItems", 1},
		{"uniqueItems", true},
		{"items", one},
	}})
	return o
}

// valueSchema is one value of field f: a reference to its type and the
// field's limits, which apply in addition (in 2020-12 "$ref" sits beside
// other keywords).
func valueSchema(f dho.Field) *object {
	o := &object{{"$ref", "#/$defs/" + f.Type.String()}}
	if f.MaxLength > 0 {
		o.set("maxLength", f.MaxLength)
	}
	if f.Pattern != "" {
		o.set("pattern", f.Pattern)
	}
	if f.Max != 0 {
		o.set("minimum", f.Min)
		o.set("maximum", f.Max)
	}
	return o
}

func appendAll(o, from *object) *object {
	*o = append(*o, *from...)
	return o
}

// extraDHODoc says when a field travels as extra.dho.NAME.
func extraDHODoc(f dho.Field) string {
	switch {
	case !f.IntelMQ:
		return "IntelMQ's form of " + f.Name + ", which IntelMQ lacks: the same values."
	case f.Multi:
		return "IntelMQ's form of the second and further values of " + f.Name + " (the first stays under " + f.Name + ")."
	}
	return "The same as " + f.Name + "; read, never written (IntelMQ has the field under its own name)."
}
