package main

import (
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestRunServesControlAPI runs intelstream run quickstart with the control
// API and asks it for readiness and, with the token of the flag, for the
// nodes and the built-in examples' self-test while it runs.
func TestRunServesControlAPI(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const secret = "quickstart-operate-0123456789"
	const admin = "quickstart-admin-0123456789"
	path := filepath.Join(t.TempDir(), "out.jsonl")
	done := make(chan error, 1)
	go func() {
		_, _, err := run(t, "", "run", "quickstart", "--set", "output="+path, "--until-idle", "5s", "--log-level", "warn",
			"--api-addr", addr, "--api-token", "ci:operate:"+secret, "--api-token", "root:admin:"+admin)
		done <- err
	}()

	call := func(method, route, token string) (int, []byte, error) {
		req, err := http.NewRequest(method, "http://"+addr+route, nil)
		if err != nil {
			return 0, nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var b json.RawMessage
		err = json.NewDecoder(resp.Body).Decode(&b)
		return resp.StatusCode, b, err
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("the run ended before /readyz answered 200: %v", err)
		default:
		}
		if code, _, err := call("GET", "/readyz", ""); err == nil && code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz never answered 200")
		}
		time.Sleep(20 * time.Millisecond)
	}

	code, body, err := call("GET", "/api/v1/nodes", secret)
	if err != nil || code != 200 {
		t.Fatalf("GET /api/v1/nodes: %d %s %v", code, body, err)
	}
	var nodes []struct{ Name, State string }
	if err := json.Unmarshal(body, &nodes); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, n := range nodes {
		names[n.Name] = n.State
	}
	if names["parse"] == "" || names["output"] == "" {
		t.Fatalf("nodes: %s", body)
	}
	if code, body, _ := call("POST", "/api/v1/nodes/parse/pause", ""); code != http.StatusUnauthorized {
		t.Fatalf("pause without a token: %d %s", code, body)
	}
	if code, body, _ := call("GET", "/api/v1/nodes", "wrong-token-0123456789"); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d %s", code, body)
	}
	code, body, err = call("POST", "/api/v1/tests/examples", secret)
	if err != nil || code != 200 {
		t.Fatalf("POST /api/v1/tests/examples: %d %s %v", code, body, err)
	}
	var ex struct {
		OK    bool
		Nodes []struct{ Node, Kind string }
	}
	if err := json.Unmarshal(body, &ex); err != nil || !ex.OK || len(ex.Nodes) == 0 {
		t.Fatalf("self-test of the quickstart's kinds: %s %v", body, err)
	}
	var kinds []string
	for _, n := range ex.Nodes {
		kinds = append(kinds, n.Node+"="+n.Kind)
	}
	if !slices.Contains(kinds, "taxonomy=taxonomy") {
		t.Fatalf("the self-test ran %v, not the taxonomy expert's examples", kinds)
	}
	// The process's log settings, through the logger run built.
	code, body, err = call("GET", "/api/v1/log", admin)
	var logs struct{ Level, Output string }
	if err == nil {
		err = json.Unmarshal(body, &logs)
	}
	if err != nil || code != 200 || logs.Level != "warn" || logs.Output != "stderr" {
		t.Fatalf("GET /api/v1/log: %d %s %v", code, body, err)
	}
	if code, body, _ := call("GET", "/api/v1/log", secret); code != http.StatusForbidden {
		t.Fatalf("log settings with an operate token: %d %s", code, body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code, _, err := call("GET", "/healthz", ""); err == nil {
		t.Fatalf("the API still answers (%d) after the run", code)
	}
}
