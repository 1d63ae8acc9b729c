package formatfield

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		event  map[string]any
		want   map[string]string
	}{
		{"strip spaces", map[string]any{"strip_columns": "event_description.text,extra.tag"},
			map[string]any{"event_description.text": "  hello  ", "extra.tag": " x "},
			map[string]string{"event_description.text": "hello", "extra.tag": "x"}},
		{"strip chars", map[string]any{"strip_columns": []string{"comment"}, "strip_chars": "-*"},
			map[string]any{"comment": "*-note-*"},
			map[string]string{"comment": "note"}},
		{"strip to nothing unsets", map[string]any{"strip_columns": "comment,extra.x", "strip_chars": "-"},
			map[string]any{"comment": "---", "extra.x": "--"},
			map[string]string{}},
		{"replace once by default", map[string]any{"replace_column": "comment", "old_value": "a", "new_value": "b"},
			map[string]any{"comment": "banana"},
			map[string]string{"comment": "bbnana"}},
		{"replace count", map[string]any{"replace_column": "comment", "old_value": "a", "new_value": "o", "replace_count": 2},
			map[string]any{"comment": "banana"},
			map[string]string{"comment": "bonona"}},
		{"replace all", map[string]any{"replace_column": "comment", "old_value": "a", "new_value": "", "replace_count": -1},
			map[string]any{"comment": "banana"},
			map[string]string{"comment": "bnn"}},
		{"split into extra", map[string]any{"split_column": "extra.tags"},
			map[string]any{"extra.tags": "a,b,c"},
			map[string]string{"extra.tags": `["a", "b", "c"]`}},
		{"split into a multi-valued field", map[string]any{"split_column": "source.ip", "split_separator": ";"},
			map[string]any{"extra.x": 1, "source.ip": "192.0.2.1"},
			map[string]string{"extra.x": "1", "source.ip": "192.0.2.1"}},
		{"strip, replace and split in order", map[string]any{"strip_columns": "malware.name", "strip_chars": " ,",
			"replace_column": "malware.name", "old_value": "|", "new_value": ",", "replace_count": -1, "split_column": "malware.name"},
			map[string]any{"malware.name": " mirai|gafgyt|emotet, "},
			map[string]string{"malware.name": "mirai,gafgyt,emotet"}},
		{"missing fields and non-text values pass", map[string]any{"strip_columns": "comment,extra.n", "replace_column": "feed.name", "split_column": "extra.list"},
			map[string]any{"extra.n": 5, "extra.list": []any{"a,b"}},
			map[string]string{"extra.n": "5", "extra.list": `["a,b"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			experttest.Expect(t, experttest.New(t, "intelmq.bots.experts.format_field.expert", tc.params), experttest.Event(t, tc.event), tc.want)
		})
	}
}

func TestInvalidResult(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"replace_column": "source.ip", "old_value": "192", "new_value": "x"})
	out, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.ip": "192.0.2.1"}))
	if err == nil || len(out) != 0 {
		t.Errorf("invalid address accepted: %v", err)
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{}, Want: "nothing to do"},
		{Params: map[string]any{"strip_columns": "feed.nmae"}, Want: "parameter strip_columns"},
		{Params: map[string]any{"replace_column": "Comment"}, Want: "parameter replace_column"},
		{Params: map[string]any{"split_column": "comment"}, Want: "parameter split_column: comment holds one value"},
		{Params: map[string]any{"split_column": "extra.x", "split_separator": ""}, Want: "parameter split_separator"},
		{Params: map[string]any{"strip_columns": "comment", "replace_count": "many"}, Want: "parameter replace_count"},
	})
}
