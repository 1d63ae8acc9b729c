package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDescribeQuickstart(t *testing.T) {
	out, _, err := run(t, "", "describe")
	if err != nil || !strings.Contains(out, "quickstart") {
		t.Fatalf("describe: %q, %v", out, err)
	}
	out, _, err = run(t, "", "describe", "quickstart")
	if err != nil || !strings.HasPrefix(out, "flowchart LR") || !strings.Contains(out, "quickstart.parse") {
		t.Fatalf("describe quickstart: %q, %v", out, err)
	}
	for _, f := range []string{"dot", "json"} {
		if out, _, err := run(t, "", "describe", "quickstart", "--format", f); err != nil || !strings.Contains(out, "taxonomy") {
			t.Fatalf("describe --format %s: %q, %v", f, out, err)
		}
	}
	if _, _, err := run(t, "", "describe", "nope"); err == nil {
		t.Error("unknown topology accepted")
	}
	if _, _, err := run(t, "", "describe", "quickstart", "--set", "colour=red"); err == nil {
		t.Error("unknown parameter accepted")
	}
}

func TestRunQuickstartOnTheEmbeddedBroker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	_, _, err := run(t, "", "run", "quickstart", "--set", "output="+path, "--set", "format=dho", "--until-idle", "1s", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n < 60 {
		t.Fatalf("%d events, want at least 60", n)
	}
	if _, _, err := run(t, "", "run", "quickstart", "--node", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown node: %v", err)
	}
	if _, _, err := run(t, "", "dlq", "list", "quickstart.parse.dlq"); err == nil {
		t.Error("dlq without brokers accepted")
	}
}

func TestRunServesMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	path := filepath.Join(t.TempDir(), "out.jsonl")
	// The output writes a batch before it commits it, so scrape until the
	// commit shows up (or the run ends) rather than once.
	committed := `intelstream_records_committed_total{node="output",topology="quickstart"}`
	scraped := make(chan string, 1)
	go func() {
		deadline := time.Now().Add(60 * time.Second)
		last := ""
		for time.Now().Before(deadline) {
			if data, _ := os.ReadFile(path); strings.Count(string(data), "\n") >= 60 {
				resp, err := http.Get("http://" + addr + "/metrics")
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					last = string(body)
					if strings.Contains(last, committed) {
						break
					}
				} else if last != "" {
					break // the run has ended; report what it served last
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		scraped <- last
	}()
	if _, _, err := run(t, "", "run", "quickstart", "--set", "output="+path, "--until-idle", "3s", "--log-level", "warn", "--metrics-addr", addr); err != nil {
		t.Fatal(err)
	}
	body := <-scraped
	for _, want := range []string{
		committed,
		`intelstream_node_up{node="parse",topology="quickstart"} 1`,
		"intelstream_kafka_", // franz-go's client metrics (kprom)
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
