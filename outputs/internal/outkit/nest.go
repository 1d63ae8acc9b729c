package outkit

import (
	"encoding/json"
	"strings"
)

// Nest turns a flat JSON object's dotted keys into nested objects, as
// IntelMQ's hierarchical output does: {"source.ip": x} becomes
// {"source": {"ip": x}}.
func Nest(flat []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(flat, &m); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range m {
		parts := strings.Split(k, ".")
		cur := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		cur[parts[len(parts)-1]] = v
	}
	return json.Marshal(out)
}
