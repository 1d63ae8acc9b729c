package idea

import (
	"testing"

	"github.com/intelstream/intelstream/transformers/transformertest"
)

func BenchmarkAppendJSON(b *testing.B) {
	transformertest.BenchEncode(b, transformertest.DHOFixture, AppendJSON)
}

func BenchmarkDecodeDHO(b *testing.B) {
	transformertest.BenchDecode(b, "testdata/messages.jsonl", DecodeDHO)
}
