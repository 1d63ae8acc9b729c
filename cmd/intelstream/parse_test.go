package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseShadowserver(t *testing.T) {
	dir := t.TempDir()
	input := writeFile(t, dir, "in.csv", "\"timestamp\",\"ip\",\"port\",\"tag\"\n"+
		"\"2024-06-01 10:00:00\",\"192.0.2.1\",80,\"http\"\n"+
		"\"2024-06-01 10:00:01\",\"192.0.2.2\",\"eighty\",\"http\"\n")
	report := writeFile(t, dir, "report.json", `{"extra.file_name": "2024-06-01-scan_http-test.csv", "time.observation": "2024-06-02T00:00:00Z", "feed.name": "My Feed"}`)
	params := writeFile(t, dir, "params.json", `{"logging_level": "DEBUG", "overwrite": false}`)
	errs := filepath.Join(dir, "errors.jsonl")
	out, stderr, err := run(t, "", "parse", "--intelmq-bot", "intelmq.bots.parsers.shadowserver.parser",
		"--input", input, "--report", report, "--params", params, "--errors", errs)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d events:\n%s", len(lines), out)
	}
	ev, err := dho.ParseEvent([]byte(lines[0]))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Feed.Name != "My Feed" || ev.Source.IP[0] != "192.0.2.1" || !strings.HasPrefix(lines[0], `{"__type": "Event", `) {
		t.Errorf("event %s", lines[0])
	}
	b, err := os.ReadFile(errs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"line": 3`) || !strings.Contains(string(b), `"__type": "Report"`) || !strings.Contains(stderr, "1 events, 1 failed") {
		t.Errorf("errors file %s, stderr %s", b, stderr)
	}

	// Without --errors the failed line is reported on stderr.
	_, stderr, err = run(t, "", "parse", "--bot", "shadowserver", "--input", input, "--report", report)
	if err != nil || !strings.Contains(stderr, "line 3:") {
		t.Errorf("stderr %q, error %v", stderr, err)
	}

	// A report that cannot be parsed as a whole is a failure, not an error.
	bad := writeFile(t, dir, "bad.json", `{"extra.file_name": "not-a-report.txt"}`)
	out, stderr, err = run(t, "", "parse", "--bot", "shadowserver", "--input", input, "--report", bad)
	if err != nil || out != "" || !strings.Contains(stderr, "not a Shadowserver report file name") {
		t.Errorf("out %q, stderr %q, error %v", out, stderr, err)
	}
}

func TestParseCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	input := writeFile(t, dir, "in.csv", "a\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"parse", "--input", input}, "intelmq-bot"},
		{[]string{"parse", "--bot", "shadowserver"}, "input"},
		{[]string{"parse", "--bot", "nope", "--input", input}, `unknown parser "nope"`},
		{[]string{"parse", "--intelmq-bot", "intelmq.bots.parsers.nope.parser", "--input", input}, "intelmq.bots.parsers.nope.parser"},
		{[]string{"parse", "--bot", "shadowserver", "--input", input, "--params", writeFile(t, dir, "p.json", `{"colour": 1}`)}, `"colour"`},
		{[]string{"parse", "--bot", "shadowserver", "--input", input, "--params", writeFile(t, dir, "q.json", `[1]`)}, "--params"},
		{[]string{"parse", "--bot", "shadowserver", "--input", input, "--report", writeFile(t, dir, "r.json", `{"source.ip": "x"}`)}, "--report"},
		{[]string{"parse", "--bot", "shadowserver", "--input", filepath.Join(dir, "missing")}, "missing"},
	} {
		_, _, err := run(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.want)
		}
	}
}

func TestParseDropsIgnoredReportValues(t *testing.T) {
	got, err := dropIgnored([]byte(`{"feed.url": "", "feed.code": "-", "feed.provider": "N/A", "rtir_id": null, "feed.name": "X", "feed.accuracy": 90.5}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"feed.accuracy":90.5,"feed.name":"X"}` {
		t.Errorf("got %s", got)
	}
	if _, err := dropIgnored([]byte(`[1]`)); err == nil {
		t.Error("a JSON list accepted as a report")
	}
}
