package outtest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/topology"
)

// New validates raw against spec, builds the output with newFn and closes
// it when the test ends.
func New[O interface{ Close() error }](t testing.TB, spec topology.Spec, newFn func(topology.Params) (O, error), raw map[string]any) O {
	t.Helper()
	p, err := spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	o, err := newFn(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// Merge returns base with over's entries on top (a new map).
func Merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// BadParam is a set of parameters and the parameter it must be refused
// for.
type BadParam struct {
	Raw   map[string]any
	Param string
}

// BadParams checks that each case is refused, by spec validation or by
// newFn, with a *topology.ParamError naming the parameter.
func BadParams[O any](t *testing.T, spec topology.Spec, newFn func(topology.Params) (O, error), cases []BadParam) {
	t.Helper()
	for _, tc := range cases {
		p, err := spec.Validate(tc.Raw)
		if err == nil {
			_, err = newFn(p)
		}
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.Param {
			t.Errorf("%v: got %v, want an error for parameter %s", tc.Raw, err, tc.Param)
		}
	}
}

// Golden compares got with testdata/name, rewriting the file first when
// update is set.
func Golden(t *testing.T, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run with -update after checking):\n%s", path, got)
	}
}
