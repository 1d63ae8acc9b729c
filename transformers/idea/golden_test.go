package idea

import (
	"testing"

	"github.com/intelstream/intelstream/schemas/jsonschema"
	"github.com/intelstream/intelstream/transformers/transformertest"
)

// TestGolden converts our IDEA messages (one per IDEA category) into DHO
// and back; every message written validates against IDEA's schema.
func TestGolden(t *testing.T) {
	sch := schema(t)
	check := func(t *testing.T, rec []byte) {
		if err := jsonschema.Validate(sch, rec); err != nil {
			t.Errorf("%s: %v", rec, err)
		}
	}
	transformertest.Golden(t, "testdata/messages.jsonl", "testdata/messages.golden", DecodeDHO, AppendJSON, check)
}

// TestGoldenFromDHO converts realistic DHO events into IDEA.
func TestGoldenFromDHO(t *testing.T) {
	sch := schema(t)
	transformertest.Golden(t, transformertest.DHOFixture, "testdata/dho.golden", transformertest.FlatDecoder, AppendJSON,
		func(t *testing.T, rec []byte) {
			if err := jsonschema.Validate(sch, rec); err != nil {
				t.Errorf("%s: %v", rec, err)
			}
		})
}
