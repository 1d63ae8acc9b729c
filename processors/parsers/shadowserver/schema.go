package shadowserver

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
)

// embeddedSchema is the snapshot of Shadowserver's report schema for
// IntelMQ-style parsers dated 2026-03-24, as Shadowserver publishes it for
// consumers to download (see schema/README.md).
//
//go:embed schema/shadowserver-intelmq.json
var embeddedSchema []byte

// EnvSchema is the environment variable that names a schema file to use
// instead of the embedded snapshot (the schema_file parameter wins over it).
const EnvSchema = "INTELSTREAM_SHADOWSERVER_SCHEMA"

// Schema is Shadowserver's report schema: how the columns of each report
// type map onto event fields.
type Schema struct {
	// Created is the schema's creation time as it says (_meta.date_created).
	Created string
	// Reports are the report types, sorted by file name.
	Reports []*ReportType

	byFileName map[string]*ReportType
	byFeedName map[string]*ReportType
}

// ReportType is one report type of the schema.
type ReportType struct {
	// FileName is the type's name in report file names ("scan_http").
	FileName string
	// FeedName is the feed name events get ("Accessible-HTTP").
	FeedName string
	// URL documents the report; events get it as feed.documentation.
	URL string
	// Required are mappings whose column every report must have; a value
	// that cannot be converted fails the row.
	Required []Mapping
	// Optional are mappings of columns that may be missing; a value the
	// event refuses goes to extra.
	Optional []Mapping
	// Constants are fields every event of the type gets, sorted by name.
	Constants []Constant
}

// Mapping maps one column onto an event field.
type Mapping struct {
	// Field is the event field; "extra." means extra.COLUMN, "" (false in
	// the schema) means the column is dropped.
	Field string
	// Column is the CSV column.
	Column string
	// Func names the conversion function, "" for none.
	Func string
	// WithRow says the function also gets the whole row.
	WithRow bool

	conv convFunc // nil when Func is "" or unknown
}

// Constant is one constant field of a report type.
type Constant struct {
	Field string
	Value any
}

// LoadSchema reads a schema file.
func LoadSchema(path string) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("shadowserver schema: %w", err)
	}
	s, err := ParseSchema(b)
	if err != nil {
		return nil, fmt.Errorf("shadowserver schema %s: %w", path, err)
	}
	return s, nil
}

var embedded = sync.OnceValues(func() (*Schema, error) { return ParseSchema(embeddedSchema) })

// EmbeddedSchema returns the schema snapshot built into the program.
func EmbeddedSchema() *Schema {
	s, err := embedded()
	if err != nil {
		panic("shadowserver: embedded schema: " + err.Error()) // covered by tests
	}
	return s
}

// ParseSchema reads a schema in Shadowserver's JSON form: an object of
// report types, each with file_name, feed_name, url, required_fields,
// optional_fields and constant_fields, and "_meta".
func ParseSchema(data []byte) (*Schema, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	s := &Schema{byFileName: map[string]*ReportType{}, byFeedName: map[string]*ReportType{}}
	if m, ok := raw["_meta"]; ok {
		var meta struct {
			Created string `json:"date_created"`
		}
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, fmt.Errorf("_meta: %w", err)
		}
		s.Created = meta.Created
	}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if name == "_meta" {
			continue
		}
		rt, err := parseReportType(raw[name])
		if err != nil {
			return nil, fmt.Errorf("report %q: %w", name, err)
		}
		s.Reports = append(s.Reports, rt)
		// Later entries win, as in IntelMQ's dictionaries.
		s.byFileName[rt.FileName] = rt
		s.byFeedName[rt.FeedName] = rt
	}
	slices.SortStableFunc(s.Reports, func(a, b *ReportType) int {
		switch {
		case a.FileName < b.FileName:
			return -1
		case a.FileName > b.FileName:
			return 1
		}
		return 0
	})
	return s, nil
}

// ByFileName returns the report type whose file name part is name.
func (s *Schema) ByFileName(name string) (*ReportType, bool) {
	rt, ok := s.byFileName[name]
	return rt, ok
}

// ByFeedName returns the report type whose feed name is name.
func (s *Schema) ByFeedName(name string) (*ReportType, bool) {
	rt, ok := s.byFeedName[name]
	return rt, ok
}

func parseReportType(b json.RawMessage) (*ReportType, error) {
	var r struct {
		FileName  string                     `json:"file_name"`
		FeedName  string                     `json:"feed_name"`
		URL       string                     `json:"url"`
		Required  []json.RawMessage          `json:"required_fields"`
		Optional  []json.RawMessage          `json:"optional_fields"`
		Constants map[string]json.RawMessage `json:"constant_fields"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if r.FileName == "" || r.FeedName == "" {
		return nil, errors.New("file_name and feed_name are required")
	}
	rt := &ReportType{FileName: r.FileName, FeedName: r.FeedName, URL: r.URL}
	var err error
	if rt.Required, err = parseMappings(r.Required); err != nil {
		return nil, fmt.Errorf("required_fields: %w", err)
	}
	if rt.Optional, err = parseMappings(r.Optional); err != nil {
		return nil, fmt.Errorf("optional_fields: %w", err)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Constants)) {
		v, err := jsonValue(r.Constants[k])
		if err != nil {
			return nil, fmt.Errorf("constant_fields %q: %w", k, err)
		}
		rt.Constants = append(rt.Constants, Constant{k, v})
	}
	return rt, nil
}

func parseMappings(items []json.RawMessage) ([]Mapping, error) {
	out := make([]Mapping, 0, len(items))
	for i, it := range items {
		var parts []json.RawMessage
		if err := json.Unmarshal(it, &parts); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		if len(parts) < 2 || len(parts) > 4 {
			return nil, fmt.Errorf("item %d: want 2 to 4 elements, got %d", i, len(parts))
		}
		var m Mapping
		switch {
		case bytes.Equal(bytes.TrimSpace(parts[0]), []byte("false")):
		default:
			if err := json.Unmarshal(parts[0], &m.Field); err != nil || m.Field == "" {
				return nil, fmt.Errorf("item %d: the field must be a name or false", i)
			}
		}
		if err := json.Unmarshal(parts[1], &m.Column); err != nil {
			return nil, fmt.Errorf("item %d: the column must be a name", i)
		}
		if len(parts) > 2 && !bytes.Equal(bytes.TrimSpace(parts[2]), []byte("null")) {
			if err := json.Unmarshal(parts[2], &m.Func); err != nil {
				return nil, fmt.Errorf("item %d: the conversion must be a function name", i)
			}
		}
		if len(parts) == 4 {
			var with any
			if err := json.Unmarshal(parts[3], &with); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			m.WithRow = truthy(with)
		}
		m.conv = conversions[m.Func]
		out = append(out, m)
	}
	return out, nil
}

// truthy is Python's truth of a JSON value.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// jsonValue decodes a constant: text, integer (int64), float, boolean, or
// null.
func jsonValue(b json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
		return n.Float64()
	}
	return v, nil
}
