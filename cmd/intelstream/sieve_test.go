package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSieveCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sieve")
	bad := filepath.Join(dir, "bad.sieve")
	os.WriteFile(good, []byte("if source.ip << '10.0.0.0/8' { drop }\n"), 0o644)
	os.WriteFile(bad, []byte("if source.ip << '10.0.0.0/8' {\n  drop\n} elif feed.nmae == 'x' { keep }\n"), 0o644)
	out, _, err := run(t, "", "sieve", "check", good)
	if err != nil || out != good+": ok\n" {
		t.Errorf("good file: %q %v", out, err)
	}
	out, _, err = run(t, "", "sieve", "check", good, bad)
	if err == nil || !strings.Contains(out, bad+`: line 3, column 8: unknown field "feed.nmae"`) {
		t.Errorf("bad file: %q %v", out, err)
	}
}

func TestSieveTest(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.sieve")
	os.WriteFile(file, []byte("if source.ip << '10.0.0.0/8' { drop }\nif feed.name == 'a' { add! comment = 'seen' path ['x', 'y'] keep }\n"), 0o644)
	events := `{"feed.name": "a", "source.ip": "192.0.2.1"}
{"feed.name": "b", "source.ip": "10.1.1.1"}

{"feed.name": "c"}
`
	out, _, err := run(t, events, "sieve", "test", file)
	if err != nil {
		t.Fatal(err)
	}
	want := "1\tkeep\tx,y\t{\"__type\": \"Event\", \"comment\": \"seen\", \"feed.name\": \"a\", \"source.ip\": \"192.0.2.1\"}\n" +
		"2\tdrop\n" +
		"4\tcontinue\t_default\t{\"__type\": \"Event\", \"feed.name\": \"c\"}\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	_, _, err = run(t, "not json\n", "sieve", "test", file)
	if err == nil || !strings.Contains(err.Error(), "event 1") {
		t.Errorf("bad event: %v", err)
	}
}
