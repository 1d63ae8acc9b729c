package idea

import (
	"testing"

	"github.com/intelstream/intelstream/transformers/transformertest"
)

// FuzzDecode: any input either fails to decode or converts into a DHO
// event that validates and converts back into a valid IDEA message.
func FuzzDecode(f *testing.F) {
	transformertest.Fuzz(f, "testdata/messages.jsonl", DecodeDHO, AppendJSON,
		`{"Format":"IDEA0","ID":"x","DetectTime":"2024-01-01T00:00:00Z","Category":["Test"],"Source":[{"IP4":["1.2.3.4-1.2.3.9"],"Proto":["tcp","tcp"]}]}`)
}
