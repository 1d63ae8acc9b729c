package n6

import (
	"testing"

	"github.com/intelstream/intelstream/transformers/transformertest"
)

// FuzzDecode: any input either fails to decode or converts into a DHO
// event that validates and converts back into a valid n6 event.
func FuzzDecode(f *testing.F) {
	transformertest.Fuzz(f, "testdata/events.jsonl", DecodeDHO, AppendJSON,
		`{"id":"x","source":"a.b","restriction":"public","confidence":"low","category":"scam","time":"2024-01-01 00:00:00","address":[{"ip":"1.2.3.4","asn":1},{"ip":"1.2.3.5","asn":2}],"x":{"y":[1e400]}}`)
}
