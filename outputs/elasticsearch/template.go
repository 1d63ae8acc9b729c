package elasticsearch

import (
	"encoding/json"
	"strings"

	"github.com/intelstream/intelstream/dho"
)

// esType maps a DHO value type to an Elasticsearch field type (lists need
// nothing of their own: every Elasticsearch field takes several values).
func esType(t dho.Type) map[string]any {
	switch t {
	case dho.TypeIPAddress:
		return map[string]any{"type": "ip"}
	case dho.TypeIPNetwork:
		return map[string]any{"type": "ip_range"}
	case dho.TypeASN, dho.TypeInteger:
		return map[string]any{"type": "long"}
	case dho.TypeFloat, dho.TypeAccuracy:
		return map[string]any{"type": "double"}
	case dho.TypeBoolean:
		return map[string]any{"type": "boolean"}
	case dho.TypeDateTime:
		return map[string]any{"type": "date", "format": "strict_date_optional_time"}
	case dho.TypeBase64:
		return map[string]any{"type": "binary"}
	case dho.TypeJSON:
		return map[string]any{"type": "keyword", "index": false}
	case dho.TypeString:
		return map[string]any{"type": "keyword", "ignore_above": 8191}
	}
	return map[string]any{"type": "keyword"}
}

// textFields are free text worth full-text search besides exact match.
var textFields = map[string]bool{"comment": true, "event_description.text": true}

// Mappings returns the index mappings of events: one property per DHO
// field (extra stays dynamic), field names with dots replaced by
// replacement when it is not "".
func Mappings(replacement string) map[string]any {
	props := map[string]any{}
	for _, f := range dho.Fields() {
		if f.Type == dho.TypeJSONDict {
			continue // extra.* keys are mapped dynamically
		}
		m := esType(f.Type)
		if textFields[f.Name] {
			m = map[string]any{"type": "text", "fields": map[string]any{"keyword": map[string]any{"type": "keyword", "ignore_above": 8191}}}
		}
		props[fieldKey(f.Name, replacement)] = m
	}
	return map[string]any{"dynamic": true, "properties": props}
}

func fieldKey(name, replacement string) string {
	if replacement == "" {
		return name
	}
	return strings.ReplaceAll(name, ".", replacement)
}

// IndexTemplate returns the composable index template (the body of
// PUT _index_template/NAME) for indexes matching patterns.
func IndexTemplate(patterns []string, replacement string) ([]byte, error) {
	return json.MarshalIndent(map[string]any{
		"index_patterns": patterns,
		"priority":       100,
		"template":       map[string]any{"mappings": Mappings(replacement)},
		"_meta":          map[string]any{"description": "DHO " + dho.Version + " events, written by intelstream"},
	}, "", "  ")
}
