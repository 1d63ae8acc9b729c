package sanitize

import (
	"strings"
	"testing"
)

// TestHasBase64Space compares hasBase64Space with strings.ContainsAny
// (what Base64Decode used before) for every byte at every position of
// words around it.
func TestHasBase64Space(t *testing.T) {
	for c := 0; c < 256; c++ {
		for n := 0; n < 20; n++ {
			for at := 0; at < n; at++ {
				b := []byte(strings.Repeat("QUJD", 5)[:n])
				b[at] = byte(c)
				s := string(b)
				if got, want := hasBase64Space(s), strings.ContainsAny(s, " \t\r\n\v\f"); got != want {
					t.Fatalf("hasBase64Space(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
