package n6

import (
	"testing"

	"github.com/intelstream/intelstream/transformers/transformertest"
)

// check decodes every n6 event written: it must be valid n6.
func check(t *testing.T, rec []byte) {
	if _, err := Decode(rec); err != nil {
		t.Errorf("%s: %v", rec, err)
	}
}

// TestGolden converts our n6 events (one per n6 category) into DHO and
// back.
func TestGolden(t *testing.T) {
	transformertest.Golden(t, "testdata/events.jsonl", "testdata/events.golden", DecodeDHO, AppendJSON, check)
}

// TestGoldenFromDHO converts realistic DHO events into n6.
func TestGoldenFromDHO(t *testing.T) {
	transformertest.Golden(t, transformertest.DHOFixture, "testdata/dho.golden", transformertest.FlatDecoder, AppendJSON, check)
}
