package smtp

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
)

// checkFields refuses names that are neither DHO fields nor extra.*.
func checkFields(names []string) error {
	for _, n := range names {
		if _, ok := dho.LookupField(n); !ok && !(len(n) > 6 && n[:6] == "extra.") {
			return fmt.Errorf("%q is not a DHO field", n)
		}
	}
	return nil
}

// fieldText is a field's value as text ("" when unset).
func fieldText(e *dho.Event, name string) string { return outkit.FieldText(e, name) }

// writeCSV writes a header row (names, or their translations) and a row
// per event, with sep as the field separator.
func writeCSV(events []*dho.Event, names []string, header map[string]string, sep rune) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = sep
	row := make([]string, len(names))
	for i, n := range names {
		row[i] = n
		if t, ok := header[n]; ok {
			row[i] = t
		}
	}
	w.Write(row)
	for _, e := range events {
		for i, n := range names {
			row[i] = fieldText(e, n)
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}
