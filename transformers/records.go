package transformers

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Record is one JSON record of a report.
type Record struct {
	// Line is the 1-based line of the record in JSON lines input, or for a
	// JSON array the 1-based position of the element.
	Line int
	Raw  []byte
}

// Records splits data into JSON records. data is a JSON array of records,
// one JSON object (possibly spread over several lines), or JSON lines (one
// record per line; blank lines are skipped). A JSON array that is not valid
// JSON is an error; in JSON lines each line is returned as it is, and the
// caller finds out whether it is valid.
func Records(data []byte) ([]Record, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if trimmed[0] == '[' {
		var elems []json.RawMessage
		if err := json.Unmarshal(trimmed, &elems); err != nil {
			return nil, fmt.Errorf("report is not a JSON array of records: %w", err)
		}
		out := make([]Record, len(elems))
		for i, e := range elems {
			out[i] = Record{Line: i + 1, Raw: e}
		}
		return out, nil
	}
	if trimmed[0] == '{' && bytes.IndexByte(trimmed, '\n') >= 0 && json.Valid(trimmed) {
		return []Record{{Line: 1, Raw: trimmed}}, nil
	}
	var out []Record
	for n, line := 1, data; len(line) > 0; n++ {
		var rest []byte
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, rest = line[:i], line[i+1:]
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			out = append(out, Record{Line: n, Raw: t})
		}
		line = rest
	}
	return out, nil
}
