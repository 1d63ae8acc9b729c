package modify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// FuzzParseRules checks that reading a rule file never panics and that
// rules it accepts run on an event without panicking.
func FuzzParseRules(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("testdata", "rules.json"))
	f.Add(string(data))
	f.Add(`[{"rulename": "r", "if": {"feed.name": "(?P<x>a)(b)?"}, "then": {"comment": "{matches[feed.name][x]}{{}}{msg[feed.name]!s}"}}]`)
	f.Fuzz(func(t *testing.T, conf string) {
		rules, err := ParseRules([]byte(conf), true)
		if err != nil {
			return
		}
		e := &dho.Event{}
		_ = e.Set("feed.name", "ab")
		_ = e.Set("source.port", 80)
		_ = New(rules, Options{}).Apply(e)
	})
}
