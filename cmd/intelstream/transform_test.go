package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers/idea"
	"github.com/intelstream/intelstream/transformers/n6"
)

const transformN6 = `{"id":"392ab73bbe7bcd6a56c84af2234987a4","source":"hidden.42","restriction":"need-to-know","confidence":"medium","category":"bots","time":"2024-05-04T10:59:03Z","address":[{"ip":"203.0.113.42","cc":"PL","asn":1234},{"ip":"203.0.113.123","cc":"PL","asn":1234}],"dport":22,"name":"andromeda","proto":"tcp","sport":58362}`

func TestTransformN6ToIDEA(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", transformN6+"\n\nnot json\n"+strings.Replace(transformN6, `"bots"`, `"deface"`, 1)+"\n")
	outPath := filepath.Join(dir, "out.jsonl")
	_, stderr, err := run(t, "", "transform", "--from", "n6", "--to", "idea", "--input", in, "--output", outPath)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, _ := os.ReadFile(outPath)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), data)
	}
	m, err := idea.Decode([]byte(lines[0]))
	if err != nil {
		t.Fatal(err)
	}
	if m.Category[0] != "Intrusion.Botnet" || len(m.Source) != 1 || len(m.Source[0].IP4) != 2 || m.ID != "392ab73b-be7b-cd6a-56c8-4af2234987a4" {
		t.Errorf("IDEA %s", lines[0])
	}
	for _, want := range []string{"line 3: not an n6 event", "line 1: DHO → idea lost tlp", "line 1: DHO → idea lost source.geolocation.cc", "2 lines written, 1 failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// Strict: the lossy lines are refused too, and the exit status says so.
	out, stderr, err := run(t, "", "transform", "--from", "n6", "--to", "idea", "--strict", "--input", in)
	if err == nil || out != "" || !strings.Contains(stderr, "line 1: DHO to IDEA would lose") {
		t.Errorf("strict: %v, out %q, stderr %s", err, out, stderr)
	}
}

func TestTransformDHOToN6AndBack(t *testing.T) {
	e := &dho.Event{}
	for k, v := range map[string]any{"classification.type": "scanner", "source.ip": []string{"192.0.2.1", "2001:db8::1"},
		"time.source": "2024-01-01T00:00:00+00:00", "feed.code": "example.scan", "tlp": "WHITE", "feed.accuracy": 90.0} {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	line := string(e.MarshalFlat(dho.FlatOptions{}))
	out, stderr, err := run(t, line+"\n", "transform", "--from", "dho", "--to", "n6")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, `source.ip: "2001:db8::1" is not an IPv4 address`) {
		t.Errorf("stderr %s", stderr)
	}
	m, err := n6.Decode([]byte(strings.TrimSpace(out)))
	if err != nil || m.Category != "scanning" || m.Restriction != "public" || m.Confidence != "high" || len(m.Address) != 1 {
		t.Fatalf("%v %s", err, out)
	}
	back, stderr, err := run(t, out, "transform", "--from", "n6", "--to", "dho", "--strict")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	got, err := dho.ParseEvent([]byte(strings.TrimSpace(back)))
	if err != nil || got.Source.IP[0] != "192.0.2.1" || got.Classification.Type != "scanner" || got.TLP != "WHITE" {
		t.Errorf("%v %s", err, back)
	}
}

func TestTransformBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"transform", "--from", "xml", "--to", "idea"},
		{"transform", "--from", "idea"},
		{"transform", "--from", "idea", "--to", "n6", "--input", filepath.Join(t.TempDir(), "missing")},
	} {
		if _, _, err := run(t, "", args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
