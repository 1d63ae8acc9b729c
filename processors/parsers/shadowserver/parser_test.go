package shadowserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// TestGolden parses our own Shadowserver-style reports (testdata/*.csv,
// named as Shadowserver names its files) and compares the events, in
// IntelMQ's flat form, and the failed lines byte for byte with the golden
// files beside them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	p, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".csv")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			r := report(t, filepath.Base(file), raw)
			if err := r.Set("feed.provider", "Shadowserver"); err != nil {
				t.Fatal(err)
			}
			evs, fails, err := parseAll(t, p, r)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			for _, ev := range evs {
				got.Write(ev.MarshalFlat(dho.FlatOptions{}))
				got.WriteByte('\n')
			}
			for _, f := range fails {
				fmt.Fprintf(&got, "# failed: %v\n", f)
			}
			checkGolden(t, filepath.Join("testdata", name+".golden.jsonl"), got.Bytes())
			for _, ev := range evs {
				var back dho.Event
				if err := back.UnmarshalFlat(string(ev.MarshalFlat(dho.FlatOptions{}))); err != nil {
					t.Errorf("event does not decode: %v", err)
				}
			}
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if parsertest.Updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d differs (go test -update accepts):\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d (go test -update accepts)", path, len(gl), len(wl))
	}
}

// testSchema is a small schema of our own in Shadowserver's form.
const testSchema = `{
 "_meta": {"date_created": "2024-01-01T00:00:00Z", "change_log": []},
 "t1": {
  "file_name": "scan_thing", "feed_name": "Thing-Feed", "url": "https://example.org/thing",
  "required_fields": [["time.source", "timestamp", "add_UTC_to_timestamp"], ["source.ip", "ip", "validate_ip"],
                      ["not_a_field", "ip"]],
  "optional_fields": [["source.port", "port", "convert_int"], ["extra.", "flag", "convert_bool"],
                      ["extra.renamed", "old_name"], [false, "ignored"], ["no_such_field", "odd"],
                      ["source.asn", "asn", "a_function_of_the_future"], ["source.fqdn", "ip"]],
  "constant_fields": {"classification.type": "vulnerable-system", "classification.taxonomy": "vulnerable",
                      "classification.identifier": "thing", "protocol.application": "-"}
 }
}`

func testParser(t *testing.T, c Config) *Parser {
	t.Helper()
	s, err := ParseSchema([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	c.Schema = s
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMappingRules(t *testing.T) {
	p := testParser(t, Config{})
	raw := "timestamp,ip,port,flag,old_name,ignored,odd,asn,rest,empty\n" +
		"2024-01-02 03:04:05,192.0.2.1,80,yes,x,dropped,o,65000,r,\n" +
		"2024-01-02 03:04:05,192.0.2.1,http,yes,x,dropped,o,65000,r,\n"
	evs, fails, err := parseAll(t, p, report(t, "2024-01-02-scan_thing-x.csv", []byte(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || len(fails) != 1 {
		t.Fatalf("%d events, %d failures; want 1 and 1", len(evs), len(fails))
	}
	got := string(evs[0].MarshalFlat(dho.FlatOptions{OmitType: true}))
	for _, want := range []string{
		`"feed.name": "Thing-Feed"`, `"feed.documentation": "https://example.org/thing"`,
		`"time.source": "2024-01-02T03:04:05+00:00"`, `"source.ip": "192.0.2.1"`, `"source.port": 80`,
		`"extra.flag": true`, `"extra.renamed": "x"`, `"extra.no_such_field": "o"`,
		`"source.asn": 65000`, `"extra.rest": "r"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("event lacks %s:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"dropped", "protocol.application", "extra.empty", "source.fqdn", "not_a_field"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("event holds %s:\n%s", unwanted, got)
		}
	}
	if fails[0].Line != 3 || !strings.Contains(fails[0].Err.Error(), `"http"`) {
		t.Errorf("failure %v", fails[0])
	}
	wantRaw := "\"timestamp\",\"ip\",\"port\",\"flag\",\"old_name\",\"ignored\",\"odd\",\"asn\",\"rest\",\"empty\"\n" +
		"2024-01-02 03:04:05,192.0.2.1,http,yes,x,dropped,o,65000,r,"
	if string(fails[0].Raw) != wantRaw {
		t.Errorf("failure raw %q, want %q", fails[0].Raw, wantRaw)
	}
}

func TestRequiredColumnMissing(t *testing.T) {
	p := testParser(t, Config{})
	_, fails, err := parseAll(t, p, report(t, "scan_thing.csv", []byte("timestamp,port\n2024-01-02 03:04:05,80\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 1 || !strings.Contains(fails[0].Err.Error(), `required column "ip"`) {
		t.Fatalf("failures %v", fails)
	}
}

func TestReportType(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"2019-01-01-scan_http-world-geo.csv", "scan_http"},
		{"scan_http.csv", "scan_http"},
		{"2019-01-01-scan_http.csv", "scan_http"},
		{"2019-01-01.csv", "2019"},
		{"2020.wrong-filename.csv", ""},
		{"scan_http.csv.gz", ""},
		{"", ""},
	} {
		got, ok := ReportTypeOf(tc.file)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("ReportTypeOf(%q) = %q, %v; want %q", tc.file, got, ok, tc.want)
		}
	}
}

func TestWholeReportErrors(t *testing.T) {
	p := testParser(t, Config{})
	for _, tc := range []struct{ file, want string }{
		{"", "no extra.file_name"},
		{"2020.wrong-filename.csv", "not a Shadowserver report file name"},
		{"2020-01-01-scan_other.csv", `report type "scan_other"`},
	} {
		_, _, err := parseAll(t, p, report(t, tc.file, []byte("a,b\n1,2\n")))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("file %q: error %v, want one saying %q", tc.file, err, tc.want)
		}
	}
}

func TestFixedTypeAndOverwrite(t *testing.T) {
	raw := []byte("timestamp,ip\n2024-01-02 03:04:05,192.0.2.1\n")
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{FeedName: "Thing-Feed"}, "Report-Feed"},
		{Config{ReportType: "scan_thing", Overwrite: true}, "Thing-Feed"},
		{Config{FeedName: "Unknown-Feed"}, "Report-Feed"}, // detected from the file name
	} {
		p := testParser(t, tc.c)
		r := report(t, "2024-01-01-scan_thing.csv", raw)
		if err := r.Set("feed.name", "Report-Feed"); err != nil {
			t.Fatal(err)
		}
		evs, _, err := parseAll(t, p, r)
		if err != nil || len(evs) != 1 {
			t.Fatalf("%+v: %d events, %v", tc.c, len(evs), err)
		}
		if evs[0].Feed.Name != tc.want {
			t.Errorf("%+v: feed.name %q, want %q", tc.c, evs[0].Feed.Name, tc.want)
		}
	}
	if _, err := New(Config{ReportType: "scan_nothing"}); !errors.Is(err, parsers.ErrParameter) {
		t.Errorf("unknown report_type: %v", err)
	}
}

func TestParams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(path, []byte(testSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := parsers.New(Name, map[string]any{"schema_file": path, "logging_level": "DEBUG", "overwrite": true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(*Parser).Schema().Created; got != "2024-01-01T00:00:00Z" {
		t.Errorf("schema %q", got)
	}
	t.Setenv(EnvSchema, path)
	p, err = parsers.NewIntelMQ(IntelMQModule, map[string]any{"test_mode": true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*Parser).Schema().ByFileName("scan_thing"); !ok {
		t.Error("the schema of INTELSTREAM_SHADOWSERVER_SCHEMA is not used")
	}
	for params, want := range map[*map[string]any]string{
		{"frobnicate": 1}:               `unknown parameter(s) "frobnicate"`,
		{"overwrite": "perhaps"}:        "overwrite",
		{"auto_update": true}:           "auto_update",
		{"schema_file": "/nonexistent"}: "schema_file",
	} {
		_, err := parsers.New(Name, *params)
		if !errors.Is(err, parsers.ErrParameter) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: error %v, want one naming %s", *params, err, want)
		}
	}
}

func TestEmbeddedSchema(t *testing.T) {
	s := EmbeddedSchema()
	if s.Created != "2026-03-24T15:31:20Z" || len(s.Reports) < 170 {
		t.Fatalf("embedded schema %s with %d report types", s.Created, len(s.Reports))
	}
	for _, rt := range s.Reports {
		for _, m := range append(append([]Mapping(nil), rt.Required...), rt.Optional...) {
			if m.Func != "" && m.conv == nil {
				t.Errorf("%s: column %s names unknown conversion %q", rt.FileName, m.Column, m.Func)
			}
		}
	}
}

func TestContextCancelled(t *testing.T) {
	p := testParser(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Parse(ctx, report(t, "scan_thing.csv", []byte("timestamp,ip\n2024-01-02 03:04:05,192.0.2.1\n")),
		func(*dho.Event) error { return nil }, func(parsers.Failure) {})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
}
