package schemas

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hamba/avro/v2"
)

// Change is one difference between two schemas, for one field.
type Change struct {
	// Field is the dotted path of the field.
	Field string
	// Kind is "added", "removed" or "changed".
	Kind string
	// From and To are the field's types (and default) in the two schemas.
	From, To string
}

func (c Change) String() string {
	switch c.Kind {
	case "added":
		return fmt.Sprintf("+ %-40s %s", c.Field, c.To)
	case "removed":
		return fmt.Sprintf("- %-40s %s", c.Field, c.From)
	}
	return fmt.Sprintf("~ %-40s %s -> %s", c.Field, c.From, c.To)
}

// Diff compares two record schemas field by field: nested records are
// flattened to dotted paths, so the result reads like the DHO field list.
func Diff(from, to string) ([]Change, error) {
	a, err := leaves(from)
	if err != nil {
		return nil, fmt.Errorf("first schema: %w", err)
	}
	b, err := leaves(to)
	if err != nil {
		return nil, fmt.Errorf("second schema: %w", err)
	}
	var out []Change
	for name, t := range a {
		u, ok := b[name]
		switch {
		case !ok:
			out = append(out, Change{Field: name, Kind: "removed", From: t})
		case t != u:
			out = append(out, Change{Field: name, Kind: "changed", From: t, To: u})
		}
	}
	for name, u := range b {
		if _, ok := a[name]; !ok {
			out = append(out, Change{Field: name, Kind: "added", To: u})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out, nil
}

// leaves maps every leaf field of a record schema to its type and default.
func leaves(schema string) (map[string]string, error) {
	s, err := parse(schema)
	if err != nil {
		return nil, err
	}
	rec, ok := deref(s).(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("a %s, not a record", s.Type())
	}
	out := map[string]string{}
	var walk func(r *avro.RecordSchema, path string)
	walk = func(r *avro.RecordSchema, path string) {
		for _, f := range r.Fields() {
			name := join(path, f.Name())
			if sub, ok := deref(f.Type()).(*avro.RecordSchema); ok && !strings.HasSuffix(sub.FullName(), "ExtraValue") {
				walk(sub, name)
				continue
			}
			desc := typeName(f.Type())
			if f.HasDefault() {
				desc += fmt.Sprintf(" (default %v)", defaultText(f.Default()))
			}
			out[name] = desc
		}
	}
	walk(rec, "")
	return out, nil
}

func defaultText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case []any:
		if len(v) == 0 {
			return "[]"
		}
	case map[string]any:
		if len(v) == 0 {
			return "{}"
		}
	}
	return fmt.Sprint(v)
}
