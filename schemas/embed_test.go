package schemas

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

var update = flag.Bool("update", false, "rewrite the generated files")

// TestEmbeddedSchemasMatchRegistry fails when an embedded .avsc file differs
// from what the field registry generates: run go generate ./schemas.
func TestEmbeddedSchemasMatchRegistry(t *testing.T) {
	for _, r := range Records {
		for _, v := range dho.Versions {
			want := generated(r, v)
			if want == "" {
				if _, err := Avro(r, v); err == nil {
					t.Errorf("a %s schema at DHO %s, which has none", r, v)
				}
				continue
			}
			path := filepath.FromSlash(fileName(r, v))
			if *update {
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go generate ./schemas)", err)
			}
			if string(got) != want {
				t.Errorf("%s is stale: run go generate ./schemas", path)
			}
			if emb, err := Avro(r, v); err != nil || emb != want {
				t.Errorf("embedded %s differs: %v", path, err)
			}
		}
	}
}
