package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestOutputsPostgresSchema(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"outputs", "postgres", "schema", "--table", "intel.events"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`CREATE TABLE IF NOT EXISTS "intel"."events" (`, `"id" uuid PRIMARY KEY`, `"source.ip" inet[]`, `"extra" jsonb`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	root = newRootCmd()
	root.SetArgs([]string{"outputs", "postgres", "schema", "--table", "a.b.c"})
	root.SetOut(&out)
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "--table") {
		t.Errorf("bad table name: %v", err)
	}
}
