package transformertest

import (
	"os"
	"testing"

	"github.com/intelstream/intelstream/transformers"
)

// Fuzz is the fuzz target of a format's decoder: seeded with the records of
// fixture and extra, every input either fails to decode or becomes a DHO
// event that validates and converts back into the format with encode.
func Fuzz(f *testing.F, fixture string, decode transformers.Decoder, encode transformers.Encoder, extra ...string) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		f.Fatal(err)
	}
	recs, err := transformers.Records(data)
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range recs {
		f.Add(r.Raw)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, _, err := decode(raw)
		if err != nil {
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("%s: DHO event does not validate: %v", raw, err)
		}
		if _, _, err := encode(nil, e); err != nil {
			t.Fatalf("%s: converting back: %v (%s)", raw, err, Describe(e))
		}
	})
}
