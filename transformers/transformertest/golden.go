package transformertest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/google/uuid"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers"
)

// Update makes Golden rewrite its golden files (go test -update).
var Update = flag.Bool("update", false, "rewrite golden files")

// Golden converts every JSON line of the input file into DHO with decode
// and back with encode, and compares a report of both conversions (the DHO
// event in DHO's flat form, the losses, the re-encoded record) with the
// golden file. check, if not nil, is called with every re-encoded record
// (to validate it against the format's schema, say).
func Golden(t *testing.T, input, golden string, decode transformers.Decoder, encode transformers.Encoder, check func(t *testing.T, rec []byte)) {
	t.Helper()
	data, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := transformers.Records(data)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, rec := range recs {
		fmt.Fprintf(&b, "# line %d\n", rec.Line)
		e, losses, err := decode(rec.Raw)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		fmt.Fprintf(&b, "dho: %s\n", e.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO, OmitType: true}))
		writeLosses(&b, "lost", losses)
		out, losses, err := encode(nil, e)
		if err != nil {
			fmt.Fprintf(&b, "back error: %v\n", err)
			continue
		}
		fmt.Fprintf(&b, "back: %s\n", out)
		writeLosses(&b, "back lost", losses)
		if check != nil {
			check(t, out)
		}
	}
	Compare(t, golden, b.Bytes())
}

func writeLosses(b *bytes.Buffer, label string, ls transformers.Losses) {
	for _, l := range ls {
		fmt.Fprintf(b, "%s: %s\n", label, l)
	}
}

// Compare compares got with the golden file (rewriting it with -update).
func Compare(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("%s differs at line %d:\ngot  %s\nwant %s\n(go test -update rewrites it)", golden, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d (go test -update rewrites it)", golden, len(gl), len(wl))
	}
}

// DHOFixture is the file of realistic DHO events (IntelMQ flat JSON lines)
// the transformers' golden tests convert, relative to a transformer's
// package directory.
const DHOFixture = "../transformertest/testdata/dho.jsonl"

// FlatDecoder reads a line of DHO flat JSON, giving an event without id a
// deterministic one (derived from the line) so that golden files are
// stable; the conversions would give it a random one.
func FlatDecoder(raw []byte, _ ...transformers.Option) (*dho.Event, transformers.Losses, error) {
	e, err := dho.ParseEvent(raw)
	if err != nil {
		return nil, nil, err
	}
	if e.ID == "" {
		e.ID = uuid.NewSHA1(uuid.NameSpaceURL, raw).String()
	}
	return e, nil, nil
}
