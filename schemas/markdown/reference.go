package markdown

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
)

// FieldReference returns the field reference of DHO as a Markdown document:
// how fields work, every field with its type and limits, the value types and
// the classification table. docs/fields.md holds its output.
func FieldReference() []byte {
	var w writer
	w.line("# DHO %s field reference", dho.Version)
	w.line("")
	w.line("<!-- Generated from the field registry of package dho by `go test ./schemas/markdown -update`. Do not edit. -->")
	w.line("")
	intro(&w)
	fieldTable(&w)
	typeTable(&w)
	classification(&w)
	return []byte(w.String())
}

// writer collects the document line by line.
type writer struct{ strings.Builder }

func (w *writer) line(format string, args ...any) {
	if len(args) == 0 {
		w.WriteString(format)
	} else {
		fmt.Fprintf(w, format, args...)
	}
	w.WriteByte('\n')
}

// para writes text as a paragraph wrapped at 80 columns, the first line
// starting with prefix and the others indented to match (for list items).
// A paragraph that is not a list item ends with a blank line.
func (w *writer) para(prefix, text string) {
	const width = 80
	indent := strings.Repeat(" ", len(prefix))
	line := prefix
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			w.line("%s", line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	w.line("%s", line)
	if prefix == "" {
		w.line("")
	}
}

// row writes one table row, escaping what would end a cell.
func (w *writer) row(cells ...string) {
	w.WriteByte('|')
	for _, c := range cells {
		w.WriteByte(' ')
		w.WriteString(strings.ReplaceAll(c, "|", `\|`))
		w.WriteString(" |")
	}
	w.WriteByte('\n')
}

// header writes a table's header and separator rows.
func (w *writer) header(cells ...string) {
	w.row(cells...)
	seps := make([]string, len(cells))
	for i := range seps {
		seps[i] = "---"
	}
	w.row(seps...)
}

// code writes s as a code span, with a fence longer than any run of
// backticks inside it.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func intro(w *writer) {
	var multi, added []string
	for _, f := range dho.Fields() {
		if f.Multi {
			multi = append(multi, code(f.Name))
		}
		if f.Since == dho.Version {
			added = append(added, code(f.Name))
		}
	}
	w.para("", "DHO is intelstream's data model for threat intelligence: an *event* is one "+
		"observation (a scanning host, a phishing URL, an infected system), a *report* is the data a "+
		"collector fetched before a parser turned it into events. This reference is generated from the "+
		"field registry of package `dho`, as are the JSON Schema (`schemas/jsonschema`) and the Avro schemas.")
	w.para("", "**Names.** Every field has a dotted name such as `source.ip`; the first part groups "+
		"related fields (`source.*`, `destination.*`, `feed.*`, `time.*` ...). Fields that IntelMQ's "+
		"harmonization has keep IntelMQ's name and type, so IntelMQ feeds, configurations and outputs "+
		"carry over. What a feed says that has no field of its own goes to `extra`, one `extra.NAME` key "+
		"per value; NAME is made of lowercase letters, digits and underscores in dot-separated parts, and "+
		"the value keeps its JSON kind (text, number, boolean, list, object or null).")
	w.para("", "**Types.** A field's type decides how a value is sanitized when it is set or read: "+
		"addresses are put in canonical form, domain names lowercased and punycoded, times converted to "+
		"UTC, old classification names renamed. A value that cannot be sanitized is refused with an error "+
		"that names the field and the value; nothing is dropped silently. The column *Constraints* lists "+
		"what a field checks beyond its type. Unset fields are absent, never empty or null.")
	w.para("", "**Multi-valued fields** ("+strings.Join(multi, ", ")+") hold a list of distinct values, "+
		"kept in the order they were added; one value is a list of one.")
	w.para("", "**Flat JSON.** On files and queues a record is one JSON object with the dotted names as "+
		"keys, `\"__type\": \"Event\"` or `\"Report\"`, and `raw` in base64. It is written in one of two "+
		"modes and read in both:")
	w.para("- ", "*IntelMQ mode* (the default) writes only keys an IntelMQ 3 bot accepts. A field IntelMQ "+
		"lacks (*IntelMQ* column: no) travels as `extra.dho.NAME`; a multi-valued field keeps its first "+
		"value under its own name and the others, as a list, under `extra.dho.NAME`. Extra names "+
		"`dho.FIELD` are reserved for this.")
	w.para("- ", "*DHO mode* writes every field under its own name and several values as a list.")
	w.line("")
	w.line("The same event in both modes:")
	w.line("")
	w.line("```json")
	e := exampleEvent()
	w.line("%s", e.MarshalFlat(dho.FlatOptions{Mode: dho.FlatIntelMQ}))
	w.line("%s", e.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO}))
	w.line("```")
	w.line("")
	w.para("", fmt.Sprintf("**Versions.** *Since* says which DHO version added a field: 1.0 is IntelMQ "+
		"3.3's harmonization; %s added %s. A minor version only adds optional fields or lets a field hold "+
		"several values; removing, renaming or retyping a field takes a major version.",
		dho.Version, strings.Join(added, ", ")))
}

// exampleEvent shows the two flat modes: a multi-valued field with two
// values and a field IntelMQ lacks.
func exampleEvent() *dho.Event {
	var e dho.Event
	for _, kv := range [][2]any{
		{"source.ip", []string{"192.0.2.1", "192.0.2.2"}},
		{"classification.type", "scanner"},
		{"tags", "constituency-a"},
		{"time.source", "2026-11-20T08:15:00+00:00"},
	} {
		if err := e.Set(kv[0].(string), kv[1]); err != nil {
			panic("markdown: example event: " + err.Error())
		}
	}
	return &e
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func fieldTable(w *writer) {
	fields := dho.Fields()
	w.line("## Fields")
	w.line("")
	w.line("%d fields; %d of them are also report fields (*Report* column).", len(fields), len(dho.ReportFields()))
	w.line("")
	w.header("Field", "Type", "Multi", "Since", "IntelMQ", "Report", "Constraints", "Description")
	for _, f := range fields {
		intelmq := "yes"
		if !f.IntelMQ {
			intelmq = "no"
		}
		w.row(code(f.Name), f.Type.String(), yes(f.Multi), f.Since, intelmq, yes(f.InReport), constraints(f), f.Doc)
	}
	w.line("")
}

// constraints describes a field's own limits.
func constraints(f dho.Field) string {
	var cs []string
	if f.MaxLength > 0 {
		cs = append(cs, fmt.Sprintf("at most %d characters", f.MaxLength))
	}
	if f.IPattern != "" {
		cs = append(cs, "matches "+code(f.IPattern)+" ignoring case")
	}
	if f.Pattern != "" {
		cs = append(cs, "matches "+code(f.Pattern))
	}
	switch {
	case f.Max == 0:
	case f.Max == math.MaxInt64:
		cs = append(cs, fmt.Sprintf("at least %d", f.Min))
	default:
		cs = append(cs, fmt.Sprintf("%d to %d", f.Min, f.Max))
	}
	if f.Type == dho.TypeJSONDict {
		cs = append(cs, "names: lowercase letters, digits and `_` in dot-separated parts")
	}
	return strings.Join(cs, "; ")
}

// jsonKind says how a value of type t is written in the flat form.
func jsonKind(t dho.Type) string {
	switch t {
	case dho.TypeASN, dho.TypeInteger:
		return "integer"
	case dho.TypeFloat, dho.TypeAccuracy:
		return "number"
	case dho.TypeBoolean:
		return "boolean"
	case dho.TypeDateTime:
		return "string (ISO 8601, UTC)"
	case dho.TypeBase64:
		return "string (base64)"
	case dho.TypeJSONDict:
		return "`extra.NAME` keys, any JSON value"
	}
	return "string"
}

func typeTable(w *writer) {
	w.line("## Value types")
	w.line("")
	w.line("The names are IntelMQ's, so configurations that name types keep working.")
	w.line("")
	w.header("Type", "JSON", "Description")
	for _, t := range dho.Types() {
		w.row(t.String(), jsonKind(t), t.Doc())
	}
	w.line("")
}

func classification(w *writer) {
	w.line("## Classification")
	w.line("")
	w.line("`classification.type` says what kind of incident or exposure an event reports;")
	w.line("`classification.taxonomy` is the group the type belongs to, set from the type by")
	w.line("this table (IntelMQ's, after the Reference Security Incident Taxonomy).")
	w.line("")
	for _, tax := range taxonomy.Taxonomies() {
		w.line("### %s", tax)
		w.line("")
		w.line("%s", taxonomy.TaxonomyDescription(tax))
		w.line("")
		w.header("Type", "Description")
		for _, t := range taxonomy.TypesOf(tax) {
			w.row(code(t.Name), t.Description)
		}
		w.line("")
	}
	w.line("### Older names")
	w.line("")
	w.line("Older IntelMQ spellings are accepted on input and stored under the current name.")
	w.line("")
	w.header("Field", "Older name", "Stored as")
	for _, m := range []struct {
		field string
		names map[string]string
	}{
		{"classification.taxonomy", taxonomy.LegacyTaxonomies()},
		{"classification.type", taxonomy.LegacyTypes()},
	} {
		olds := make([]string, 0, len(m.names))
		for old := range m.names {
			olds = append(olds, old)
		}
		slices.Sort(olds)
		for _, old := range olds {
			w.row(code(m.field), code(old), code(m.names[old]))
		}
	}
}
