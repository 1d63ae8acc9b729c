package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/schemas"
)

func TestSchemaCommandsAgainstRegistry(t *testing.T) {
	fake := srfake.New()
	defer fake.Close()
	reg := "--registry=" + fake.URL()

	out, _, err := run(t, "", "schema", "check", reg, "--topic", "events")
	if err != nil || !strings.Contains(out, "not registered") {
		t.Fatalf("check before register: %q, %v", out, err)
	}
	out, _, err = run(t, "", "schema", "register", reg, "--topic", "events")
	if err != nil || !strings.Contains(out, "events-value") || !strings.Contains(out, "schema id") {
		t.Fatalf("register: %q, %v", out, err)
	}
	out, _, err = run(t, "", "schema", "register", reg, "--strategy", "record", "--record", "report")
	if err != nil || !strings.Contains(out, "intelstream.dho.Report") {
		t.Fatalf("register report: %q, %v", out, err)
	}
	out, _, err = run(t, "", "schema", "check", reg, "--topic", "events")
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("check after register: %q, %v", out, err)
	}
	out, _, err = run(t, "", "schema", "list", reg)
	if err != nil || !strings.Contains(out, "events-value") || !strings.Contains(out, "intelstream.dho.Report") {
		t.Fatalf("list: %q, %v", out, err)
	}
	out, _, err = run(t, "", "schema", "get", reg, "events-value", "latest")
	cur, _ := schemas.Avro(schemas.EventRecord, "")
	if err != nil || strings.TrimSpace(out) != strings.TrimSpace(cur) {
		t.Fatalf("get: %v\n%s", err, out)
	}
	out, _, err = run(t, "", "schema", "get", reg, "--id", "1")
	if err != nil || !strings.Contains(out, `"name": "Event"`) {
		t.Fatalf("get --id: %q, %v", out, err)
	}
	out, _, err = run(t, "", "schema", "diff", reg, "events-value@1", "current")
	if err != nil || strings.TrimSpace(out) != "no field differs" {
		t.Fatalf("diff registry vs current: %q, %v", out, err)
	}
}

func TestSchemaCheckNamesIncompatibleField(t *testing.T) {
	fake := srfake.New()
	defer fake.Close()
	// The registry holds a schema in which destination.asn is a string.
	cur, _ := schemas.Avro(schemas.EventRecord, "")
	var root map[string]any
	if err := json.Unmarshal([]byte(cur), &root); err != nil {
		t.Fatal(err)
	}
	for _, f := range root["fields"].([]any) {
		m := f.(map[string]any)
		if m["name"] != "destination" {
			continue
		}
		m["default"].(map[string]any)["asn"] = ""
		for _, g := range m["type"].(map[string]any)["fields"].([]any) {
			if g := g.(map[string]any); g["name"] == "asn" {
				g["type"], g["default"] = "string", ""
			}
		}
	}
	for _, f := range root["fields"].([]any) {
		if m := f.(map[string]any); m["name"] == "source" {
			m["default"].(map[string]any)["asn"] = ""
		}
	}
	old, _ := json.Marshal(root)
	if _, _, err := fake.RegisterSchema("events-value", sr.Schema{Schema: string(old)}); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "", "schema", "check", "--registry", fake.URL(), "--topic", "events")
	if err == nil || !strings.Contains(err.Error(), "destination.asn") {
		t.Fatalf("check = %v, want an incompatibility naming destination.asn", err)
	}
	if !strings.Contains(out, "~ destination.asn") {
		t.Errorf("check did not print the diff: %q", out)
	}
	if _, _, err := run(t, "", "schema", "register", "--registry", fake.URL(), "--topic", "events"); err == nil {
		t.Fatal("register accepted an incompatible schema")
	}
}

func TestSchemaExportAndDiffOffline(t *testing.T) {
	out, _, err := run(t, "", "schema", "export")
	cur, _ := schemas.Avro(schemas.EventRecord, "")
	if err != nil || out != cur {
		t.Fatalf("export avro: %v", err)
	}
	out, _, err = run(t, "", "schema", "export", "--format", "jsonschema", "--record", "report")
	var js map[string]any
	if err != nil || json.Unmarshal([]byte(out), &js) != nil || js["properties"] == nil {
		t.Fatalf("export jsonschema: %v\n%.200s", err, out)
	}
	out, _, err = run(t, "", "schema", "export", "--format", "markdown")
	if err != nil || !strings.Contains(out, "source.ip") {
		t.Fatalf("export markdown: %v", err)
	}
	out, _, err = run(t, "", "schema", "diff", "1.0", "2.0")
	if err != nil || !strings.Contains(out, "+ id") || !strings.Contains(out, "+ tags") {
		t.Fatalf("diff 1.0 2.0: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"schema", "export", "--format", "xml"},
		{"schema", "export", "--record", "incident"},
		{"schema", "list"},
		{"schema", "register", "--registry", "http://127.0.0.1:1"},
		{"schema", "diff", "9.9", "2.0"},
	} {
		if _, _, err := run(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
