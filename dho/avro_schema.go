package dho

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// DHO as Avro. The schemas are generated from the field table: the dotted
// names become nested records (source.geolocation.cc is field cc of record
// Geolocation in field geolocation of record Endpoint in field source), in
// name order. Every leaf is optional: a single-valued field is a union with
// null (default null), a multi-valued field an array (default empty), and
// every record field defaults to {} so that a reader of a newer version
// fills in fields an older writer lacked (see Version for the rules).
//
// extra is a map of ExtraValue records whose one field is a union of every
// JSON kind, recursively, so extra values keep their kind in Avro too.

// AvroNamespace is the namespace of the generated Avro records.
const AvroNamespace = "intelstream.dho"

// avroNode is one record or leaf of the generated schema tree.
type avroNode struct {
	name     string // Avro field name: one segment of the dotted name
	path     string // dotted path of a record, e.g. "source.geolocation"
	f        *Field // set for a leaf
	children []*avroNode
}

// avroTree builds the record tree of the fields of a record kind.
func avroTree(fields []*Field) *avroNode {
	root := &avroNode{}
	for _, f := range fields {
		n := root
		segs := strings.Split(f.Name, ".")
		for i, seg := range segs[:len(segs)-1] {
			var child *avroNode
			for _, c := range n.children {
				if c.name == seg && c.f == nil {
					child = c
				}
			}
			if child == nil {
				child = &avroNode{name: seg, path: strings.Join(segs[:i+1], ".")}
				n.children = append(n.children, child)
			}
			n = child
		}
		n.children = append(n.children, &avroNode{name: segs[len(segs)-1], f: f})
	}
	return root
}

// avroRecordName names the record at path. Source and destination share one
// record type, as do their geolocations.
func avroRecordName(kind recKind, path string) string {
	switch path {
	case "source", "destination":
		return "Endpoint"
	case "source.geolocation", "destination.geolocation":
		return "Geolocation"
	case "malware.hash":
		return "MalwareHash"
	case "time":
		if kind == recReport {
			return "ReportTime"
		}
	}
	var b strings.Builder
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// avroSchemaWriter writes the schema JSON; named types are defined at their
// first use and referred to by name after that, as Avro requires.
type avroSchemaWriter struct {
	kind    recKind
	defined map[string]string // record name → its shape, to catch clashes
}

// AvroSchema returns the Avro schema (JSON) of Event as of DHO version
// version ("" for the current one): only fields added in that version or
// before are in it. Older versions' schemas are what older writers used;
// they let tests and tools check that current readers still read them.
func AvroSchema(version string) string { return avroSchema(recEvent, version) }

// ReportAvroSchema returns the Avro schema of Report (see AvroSchema).
func ReportAvroSchema(version string) string { return avroSchema(recReport, version) }

func avroSchema(kind recKind, version string) string {
	if version == "" {
		version = Version
	}
	var fields []*Field
	for _, f := range recs[kind].fields {
		if versionLE(f.Since, version) {
			fields = append(fields, f)
		}
	}
	w := &avroSchemaWriter{kind: kind, defined: map[string]string{}}
	root := avroTree(fields)
	var buf bytes.Buffer
	name := recs[kind].typeName
	fmt.Fprintf(&buf, `{"type": "record", "name": %q, "namespace": %q, "doc": %q, "dho.version": %q, "fields": [`,
		name, AvroNamespace, "DHO "+version+" "+strings.ToLower(name)+", generated from the intelstream field registry.", version)
	w.fields(&buf, root)
	buf.WriteString("]}")
	// Indent for people; the registry canonicalizes anyway.
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		panic("dho: generated Avro schema is not JSON: " + err.Error())
	}
	return out.String() + "\n"
}

// versionLE compares "major.minor" versions.
func versionLE(a, b string) bool {
	var am, an, bm, bn int
	fmt.Sscanf(a, "%d.%d", &am, &an)
	fmt.Sscanf(b, "%d.%d", &bm, &bn)
	return am < bm || (am == bm && an <= bn)
}

func (w *avroSchemaWriter) fields(buf *bytes.Buffer, n *avroNode) {
	for i, c := range n.children {
		if i > 0 {
			buf.WriteString(", ")
		}
		if c.f == nil {
			fmt.Fprintf(buf, `{"name": %q, "type": `, c.name)
			w.record(buf, c)
			buf.WriteString(`, "default": ` + recordDefault(c) + `}`)
			continue
		}
		fmt.Fprintf(buf, `{"name": %q, "doc": %q, "type": %s, "default": %s}`,
			c.name, c.f.Doc, w.leafType(c.f), avroDefault(c.f))
	}
}

func (w *avroSchemaWriter) record(buf *bytes.Buffer, n *avroNode) {
	name := avroRecordName(w.kind, n.path)
	var shape bytes.Buffer
	for _, c := range n.children {
		shape.WriteString(c.name + ";")
	}
	if prev, ok := w.defined[name]; ok {
		if prev != shape.String() {
			panic(fmt.Sprintf("dho: Avro record %s has two shapes: %s and %s", name, prev, shape.String()))
		}
		fmt.Fprintf(buf, "%q", AvroNamespace+"."+name)
		return
	}
	w.defined[name] = shape.String()
	fmt.Fprintf(buf, `{"type": "record", "name": %q, "fields": [`, name)
	w.fields(buf, n)
	buf.WriteString("]}")
}

// avroValueType is the Avro type of one value of a field.
func avroValueType(f *Field) string {
	switch f.Type {
	case TypeASN, TypeInteger:
		return `"long"`
	case TypeFloat, TypeAccuracy:
		return `"double"`
	case TypeBoolean:
		return `"boolean"`
	case TypeDateTime:
		return `{"type": "long", "logicalType": "timestamp-micros"}`
	case TypeBase64:
		return `"bytes"`
	case TypeUUID:
		return `{"type": "string", "logicalType": "uuid"}`
	}
	return `"string"`
}

func (w *avroSchemaWriter) leafType(f *Field) string {
	switch {
	case f.st == stExtra:
		if _, ok := w.defined["ExtraValue"]; ok {
			return `{"type": "map", "values": "` + AvroNamespace + `.ExtraValue"}`
		}
		w.defined["ExtraValue"] = "value;"
		return `{"type": "map", "values": {"type": "record", "name": "ExtraValue", "doc": "One extra value of any JSON kind.", "fields": [` +
			`{"name": "value", "type": ["null", "boolean", "long", "double", "string", ` +
			`{"type": "array", "items": "ExtraValue"}, {"type": "map", "values": "ExtraValue"}, ` +
			`{"type": "record", "name": "BigInteger", "doc": "An integer beyond 64 bits, as decimal digits.", "fields": [{"name": "digits", "type": "string"}]}` +
			`]}]}}`
	case f.Multi:
		return `{"type": "array", "items": ` + avroValueType(f) + `}`
	}
	return `["null", ` + avroValueType(f) + `]`
}

// recordDefault spells out a record field's default in full: every leaf's
// own default, since Avro libraries do not fill in omitted sub-fields.
func recordDefault(n *avroNode) string {
	parts := make([]string, len(n.children))
	for i, c := range n.children {
		d := recordDefault(c)
		if c.f != nil {
			d = avroDefault(c.f)
		}
		parts[i] = fmt.Sprintf("%q: %s", c.name, d)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func avroDefault(f *Field) string {
	switch {
	case f.st == stExtra:
		return "{}"
	case f.Multi:
		return "[]"
	}
	return "null"
}

// extraUnion is the order of the ExtraValue union's branches.
const (
	xNull = iota
	xBool
	xLong
	xDouble
	xString
	xArray
	xMap
	xBigInt
)
