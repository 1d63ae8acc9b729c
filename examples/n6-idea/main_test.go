package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/intelstream/intelstream/examples/idea-export/ideaexport"
	"github.com/intelstream/intelstream/examples/n6-idea/n6idea"
)

// TestN6ToIDEA streams the ten bundled n6 events over the demo STOMP
// server and checks the IDEA messages and that every STOMP message was
// acknowledged (only after its report reached Kafka).
func TestN6ToIDEA(t *testing.T) {
	demo, err := n6idea.StartDemoStream("/exchange/test.org/#", "u", "p", ideaexport.Report)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	out := filepath.Join(t.TempDir(), "idea.jsonl")
	params := demoParams(demo)
	params["output"] = out
	if err := run(context.Background(), params, time.Second); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	categories := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m struct {
			Format, ID, DetectTime string
			Category               []string
			Source                 []map[string]any
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", sc.Bytes(), err)
		}
		if m.Format != "IDEA0" || m.ID == "" || m.DetectTime == "" || len(m.Category) == 0 {
			t.Fatalf("incomplete IDEA message %s", sc.Bytes())
		}
		ids[m.ID] = true
		for _, c := range m.Category {
			categories[c] = true
		}
	}
	// Ten n6 events; at least once may repeat one, so count distinct ids.
	if len(ids) != 10 {
		t.Fatalf("%d distinct IDEA messages, want 10", len(ids))
	}
	for _, c := range []string{"Intrusion.Botnet", "Fraud.Phishing", "Recon.Scanning"} {
		if !categories[c] {
			t.Errorf("no message of category %s (have %v)", c, categories)
		}
	}
	if demo.Acked() != 10 || demo.Pending() != 0 {
		t.Fatalf("STOMP: %d acknowledged, %d pending; want 10 and 0", demo.Acked(), demo.Pending())
	}
}

// TestDemoStreamRefusesBadLogin: the collector cannot subscribe with a
// wrong passcode, so nothing is acknowledged.
func TestDemoStreamRefusesBadLogin(t *testing.T) {
	demo, err := n6idea.StartDemoStream("/exchange/test.org/#", "u", "p", ideaexport.Report)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	params := demoParams(demo)
	params["stomp.password"] = "wrong"
	params["output"] = filepath.Join(t.TempDir(), "idea.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = run(ctx, params, time.Second)
	if demo.Acked() != 0 || demo.Pending() != 10 {
		t.Fatalf("%d acknowledged, %d pending after a bad login", demo.Acked(), demo.Pending())
	}
}
