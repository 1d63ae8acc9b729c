package sieve

import (
	"errors"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// FuzzParse checks that the parser never panics, that every error it
// returns has a place, and that what it accepts runs on an event.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		benchRules,
		"if :exists source.fqdn { keep } elif ! (a == 'b' || c != 1) { drop } else { path ['x', 'y'] }",
		"$v = feed.name add! $v = 'x' append! extra.l true update time.source -= '2 weeks'",
		"if source.ip << ['10.0.0.0/8', '::1'] && extra.t :setequals [1, 'a', false] { remove comment }",
		"# comment\n// comment\nif feed.name =~ 'a\\'b' { add comment = \"x\" }",
		"if source.port :in [1, 2.5e3, -4] { drop }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := Parse(src)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Pos.Line < 1 || se.Pos.Col < 1 {
				t.Fatalf("error without a place: %v", err)
			}
			return
		}
		e := &dho.Event{}
		_ = e.Set("source.ip", "192.0.2.1")
		_ = e.Set("feed.name", "acme")
		_ = e.Set("extra.l", []any{"a", 1})
		_, _ = prog.Run(e)
	})
}
