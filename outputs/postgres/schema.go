package postgres

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/intelstream/intelstream/dho"
)

// Column is one column of the events table: a DHO field under its own
// dotted name (as IntelMQ's SQL output names its columns) and the
// PostgreSQL type its values take.
type Column struct {
	Field dho.Field
	// SQLType is the column type, e.g. "inet[]" or "timestamptz".
	SQLType string
}

// Name is the column's name: the field's dotted name.
func (c Column) Name() string { return c.Field.Name }

// sqlType maps a DHO value type to a PostgreSQL type; multi-valued fields
// become arrays of it.
func sqlType(f dho.Field) string {
	var t string
	switch f.Type {
	case dho.TypeIPAddress:
		t = "inet"
	case dho.TypeIPNetwork:
		t = "cidr"
	case dho.TypeASN, dho.TypeInteger:
		t = "bigint"
	case dho.TypeFloat, dho.TypeAccuracy:
		t = "double precision"
	case dho.TypeBoolean:
		t = "boolean"
	case dho.TypeDateTime:
		t = "timestamptz"
	case dho.TypeBase64:
		t = "bytea"
	case dho.TypeJSON, dho.TypeJSONDict:
		t = "jsonb"
	case dho.TypeUUID:
		t = "uuid"
	default:
		t = "text"
	}
	if f.Multi {
		t += "[]"
	}
	return t
}

// Columns returns the columns of the events table, one per DHO event
// field, id first, then by field name.
func Columns() []Column {
	fields := dho.Fields()
	cols := make([]Column, 0, len(fields))
	for _, f := range fields {
		c := Column{Field: f, SQLType: sqlType(f)}
		if f.Name == "id" {
			cols = append([]Column{c}, cols...)
			continue
		}
		cols = append(cols, c)
	}
	return cols
}

// tableIdent parses a table name, optionally qualified by its schema
// ("intel.events"), into a quoted identifier.
func tableIdent(name string) (pgx.Identifier, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return nil, fmt.Errorf("%q: want TABLE or SCHEMA.TABLE", name)
	}
	for _, p := range parts {
		if p == "" || len(p) > 63 {
			return nil, fmt.Errorf("%q: empty or over-long name part", name)
		}
	}
	return pgx.Identifier(parts), nil
}

// DDL returns the statements that create the events table named table
// (TABLE or SCHEMA.TABLE) and its indexes, if they do not exist: a typed
// column per DHO field, arrays for multi-valued fields, JSONB for extra and
// output, and the event id as primary key, so that an event delivered
// twice is stored once.
func DDL(table string) (string, error) {
	create, indexes, err := ddlParts(table)
	return create + indexes, err
}

// ddlParts returns the CREATE TABLE statement and the CREATE INDEX ones.
func ddlParts(table string) (create, indexes string, err error) {
	id, err := tableIdent(table)
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", id.Sanitize())
	for i, c := range Columns() {
		fmt.Fprintf(&b, "    %s %s", pgx.Identifier{c.Name()}.Sanitize(), c.SQLType)
		if c.Name() == "id" {
			b.WriteString(" PRIMARY KEY")
		}
		if i < len(dho.Fields())-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(");\n")
	create = b.String()
	b.Reset()
	base := id[len(id)-1]
	for _, col := range []string{"time.source", "time.observation", "classification.type", "feed.name"} {
		idx := pgx.Identifier{base + "_" + strings.ReplaceAll(col, ".", "_") + "_idx"}
		fmt.Fprintf(&b, "CREATE INDEX IF NOT EXISTS %s ON %s (%s);\n", idx.Sanitize(), id.Sanitize(), pgx.Identifier{col}.Sanitize())
	}
	idx := pgx.Identifier{base + "_source_ip_idx"}
	fmt.Fprintf(&b, "CREATE INDEX IF NOT EXISTS %s ON %s USING gin (%s);\n", idx.Sanitize(), id.Sanitize(), pgx.Identifier{"source.ip"}.Sanitize())
	return create, b.String(), nil
}
