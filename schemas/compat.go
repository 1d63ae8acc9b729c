package schemas

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"
)

// Level is a compatibility level, as schema registries name them.
type Level string

// The compatibility levels. BACKWARD: the new schema reads data written with
// the previous one. FORWARD: the previous schema reads data written with the
// new one. FULL: both. The transitive variants check against every earlier
// version, not only the latest.
const (
	None               Level = "NONE"
	Backward           Level = "BACKWARD"
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	Forward            Level = "FORWARD"
	ForwardTransitive  Level = "FORWARD_TRANSITIVE"
	Full               Level = "FULL"
	FullTransitive     Level = "FULL_TRANSITIVE"
)

// Levels lists every level.
var Levels = []Level{None, Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive}

// ParseLevel accepts a level name in any case.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range Levels {
		if l == known {
			return l, nil
		}
	}
	return "", fmt.Errorf("compatibility level %q: want one of %v", s, Levels)
}

func (l Level) backward() bool { return l != None && !strings.HasPrefix(string(l), "FORWARD") }
func (l Level) forward() bool {
	return strings.HasPrefix(string(l), "FORWARD") || strings.HasPrefix(string(l), "FULL")
}
func (l Level) transitive() bool { return strings.HasSuffix(string(l), "_TRANSITIVE") }

// IncompatibleError says why a schema is not compatible, naming the field.
type IncompatibleError struct {
	// Level is the level that was checked.
	Level Level
	// Version is the index (0 = oldest) of the earlier schema that failed.
	Version int
	// Direction is "backward" (the new schema cannot read old data) or
	// "forward" (the old schema cannot read new data).
	Direction string
	// Field is the dotted path of the offending field, "" for the record.
	Field string
	// Reason is what is wrong.
	Reason string
}

func (e *IncompatibleError) Error() string {
	where := "the record"
	if e.Field != "" {
		where = "field " + e.Field
	}
	return fmt.Sprintf("%s check against earlier schema #%d failed (%s): %s: %s", e.Level, e.Version+1, e.Direction, where, e.Reason)
}

// Check tells whether schema may follow the earlier schemas (oldest first)
// under level. It parses every schema and computes reader/writer resolution
// locally with hamba/avro.
func Check(level Level, schema string, earlier []string) error {
	if level == None || len(earlier) == 0 {
		return nil
	}
	cur, err := parse(schema)
	if err != nil {
		return fmt.Errorf("new schema: %w", err)
	}
	from := len(earlier) - 1
	if level.transitive() {
		from = 0
	}
	for i := from; i < len(earlier); i++ {
		old, err := parse(earlier[i])
		if err != nil {
			return fmt.Errorf("earlier schema #%d: %w", i+1, err)
		}
		if level.backward() {
			if field, reason := explain(cur, old, ""); reason != "" {
				return &IncompatibleError{Level: level, Version: i, Direction: "backward: the new schema cannot read data written with it", Field: field, Reason: reason}
			}
		}
		if level.forward() {
			if field, reason := explain(old, cur, ""); reason != "" {
				return &IncompatibleError{Level: level, Version: i, Direction: "forward: it cannot read data written with the new schema", Field: field, Reason: reason}
			}
		}
	}
	return nil
}

// explain returns "" when reader can read writer; otherwise the dotted path
// of the deepest field at fault and the reason. hamba decides compatibility;
// explain walks records in step so that the message names the field.
func explain(reader, writer avro.Schema, path string) (string, string) {
	err := avro.NewSchemaCompatibility().Compatible(reader, writer)
	if err == nil {
		return "", ""
	}
	rr, rok := deref(reader).(*avro.RecordSchema)
	wr, wok := deref(writer).(*avro.RecordSchema)
	if rok && wok {
		for _, rf := range rr.Fields() {
			name := join(path, rf.Name())
			wf := fieldByName(wr, rf)
			if wf == nil {
				if !rf.HasDefault() {
					return name, "the reader needs it, the writer does not have it, and it has no default"
				}
				continue
			}
			if field, reason := explain(rf.Type(), wf.Type(), name); reason != "" {
				return field, reason
			}
		}
	}
	return path, describe(err, reader, writer)
}

func describe(err error, reader, writer avro.Schema) string {
	msg := err.Error()
	var rt, wt string
	if reader != nil {
		rt = typeName(reader)
	}
	if writer != nil {
		wt = typeName(writer)
	}
	if rt != "" && wt != "" && rt != wt {
		return fmt.Sprintf("a %s (reader) cannot read a %s (writer): %s", rt, wt, msg)
	}
	return msg
}

func typeName(s avro.Schema) string {
	s = deref(s)
	switch s := s.(type) {
	case avro.NamedSchema:
		return string(s.Type()) + " " + s.FullName()
	case *avro.UnionSchema:
		parts := make([]string, len(s.Types()))
		for i, t := range s.Types() {
			parts[i] = typeName(t)
		}
		return "union [" + strings.Join(parts, ", ") + "]"
	case *avro.ArraySchema:
		return "array of " + typeName(s.Items())
	case *avro.MapSchema:
		return "map of " + typeName(s.Values())
	case *avro.PrimitiveSchema:
		if l := s.Logical(); l != nil {
			return string(s.Type()) + " (" + string(l.Type()) + ")"
		}
	}
	return string(s.Type())
}

func fieldByName(rec *avro.RecordSchema, want *avro.Field) *avro.Field {
	for _, f := range rec.Fields() {
		if f.Name() == want.Name() {
			return f
		}
	}
	for _, f := range rec.Fields() {
		for _, alias := range want.Aliases() {
			if f.Name() == alias {
				return f
			}
		}
	}
	return nil
}

func deref(s avro.Schema) avro.Schema {
	if ref, ok := s.(*avro.RefSchema); ok {
		return ref.Schema()
	}
	return s
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// ErrIncompatible is matched by errors.Is for every *IncompatibleError.
var ErrIncompatible = errors.New("incompatible schema")

// Is makes errors.Is(err, ErrIncompatible) true.
func (e *IncompatibleError) Is(target error) bool { return target == ErrIncompatible }

// parse parses a schema on its own: with a fresh cache, so that names
// defined by other schemas (such as an earlier version of the same record)
// can neither satisfy nor clash with its references.
func parse(schema string) (avro.Schema, error) {
	return avro.ParseWithCache(schema, "", &avro.SchemaCache{})
}

// Fingerprint returns the SHA-256 fingerprint of a schema's parsing
// canonical form: equal for schemas that differ only in formatting, docs or
// field order of attributes.
func Fingerprint(schema string) ([32]byte, error) {
	s, err := parse(schema)
	if err != nil {
		return [32]byte{}, err
	}
	return s.Fingerprint(), nil
}
