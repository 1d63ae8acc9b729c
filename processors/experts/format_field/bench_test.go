package formatfield

import (
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"strip_columns": "malware.name,comment", "replace_column": "malware.name",
		"old_value": "|", "new_value": ",", "replace_count": -1, "split_column": "malware.name"})
	experttest.Bench(b, x, experttest.Event(b, map[string]any{"malware.name": " mirai|gafgyt ", "comment": " note "}))
}
