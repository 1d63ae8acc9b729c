package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/topology"
)

func TestNagiosRange(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in     string
		alerts []float64
		passes []float64
	}{
		{"10", []float64{-1, 10.5, 11}, []float64{0, 5, 10}},
		{"10:", []float64{-5, 9.99}, []float64{10, 1e9, inf}},
		{"~:10", []float64{10.01, 100}, []float64{-1e9, 0, 10}},
		{"10:20", []float64{9, 21}, []float64{10, 15, 20}},
		{"@10:20", []float64{10, 15, 20}, []float64{9, 21}},
		{"@10", []float64{0, 10}, []float64{-1, 11}},
		{"0:0", []float64{1, -1}, []float64{0}},
		{"-5:-1", []float64{0, -6}, []float64{-5, -3, -1}},
		{"1.5:2.5", []float64{1, 3}, []float64{2}},
	}
	for _, tc := range tests {
		r, err := parseRange(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		for _, v := range tc.alerts {
			if !r.alert(v) {
				t.Errorf("%q: %v does not alert", tc.in, v)
			}
		}
		for _, v := range tc.passes {
			if r.alert(v) {
				t.Errorf("%q: %v alerts", tc.in, v)
			}
		}
	}
	for _, bad := range []string{"x", "10:x", "20:10", "@", "~", ":", "1:2:3", "NaN"} {
		if _, err := parseRange(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if r, err := parseRange(""); r != nil || err != nil || r.alert(1e9) {
		t.Errorf("empty range: %v, %v", r, err)
	}
}

// checkRun runs a check and returns its line and exit code.
func checkRun(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, _, err := run(t, "", append([]string{"check"}, args...)...)
	code := 0
	if err != nil {
		var ec exitCode
		if !errors.As(err, &ec) {
			t.Fatalf("%v: error without exit code: %v", args, err)
		}
		code = ec.ExitCode()
		if err.Error() != "" {
			t.Errorf("%v: the error would print %q", args, err)
		}
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("%v: want one line, got %q", args, out)
	}
	return strings.TrimSpace(out), code
}

func TestCheckReady(t *testing.T) {
	ready := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ready {
			http.Error(w, "node parse: not assigned any partition\nmore", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	defer srv.Close()
	line, code := checkRun(t, "ready", "--url", srv.URL+"/readyz")
	if code != 0 || !strings.HasPrefix(line, "READY OK - ready (200 OK) | time=") {
		t.Errorf("ready: %d %q", code, line)
	}
	ready = false
	line, code = checkRun(t, "ready", "--url", srv.URL+"/readyz")
	if code != 2 || !strings.HasPrefix(line, "READY CRITICAL - not ready: 503 Service Unavailable: node parse: not assigned any partition |") {
		t.Errorf("not ready: %d %q", code, line)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	line, code = checkRun(t, "ready", "--url", "http://"+addr+"/readyz")
	if code != 3 || !strings.HasPrefix(line, "READY UNKNOWN - ") {
		t.Errorf("unreachable: %d %q", code, line)
	}
	if _, code := checkRun(t, "ready"); code != 3 {
		t.Errorf("no --url: %d", code)
	}
	if line, code := checkRun(t, "ready", "--url", srv.URL, "extra"); code != 3 || !strings.Contains(line, "extra") {
		t.Errorf("an argument: %d %q", code, line)
	}
}

func TestCheckMetrics(t *testing.T) {
	topo, err := topology.Build("quickstart", nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := topology.NewMetrics(topo, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	url := srv.URL + "/metrics"

	if line, code := checkRun(t, "metrics", "--url", url); code != 3 || !strings.Contains(line, "no intelstream node metrics") {
		t.Errorf("no metrics yet: %d %q", code, line)
	}
	for _, n := range []string{"parse", "taxonomy"} {
		m.OnNodeStarted(n)
		for range 10 {
			m.OnRecordReceived(n, nil)
		}
		m.OnCommitted(n, 10)
	}
	for range 3 {
		m.OnRecordFailed("parse", nil, errors.New("bad line"))
	}
	m.OnLag("taxonomy", 42)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"error ratio critical", []string{"--warning", "5", "--critical", "20"}, 2,
			"METRICS CRITICAL - quickstart.parse errors 30% (critical 20) | 'quickstart.parse errors'=30%;5;20 'quickstart.taxonomy errors'=0%;5;20"},
		{"error ratio warning", []string{"--warning", "25", "--critical", "50"}, 1, "METRICS WARNING - quickstart.parse errors 30% (warning 25)"},
		{"one node", []string{"--node", "taxonomy", "--warning", "5"}, 0,
			"METRICS OK - 1 nodes: 10 received, 10 committed, 0 failed | 'quickstart.taxonomy errors'=0%;5;"},
		{"processed", []string{"--metric", "processed", "--critical", "11:"}, 2, "quickstart.parse processed 10c (critical 11:)"},
		{"lag", []string{"--metric", "lag", "--node", "quickstart.taxonomy", "--warning", "~:40"}, 1, "quickstart.taxonomy lag 42 (warning ~:40)"},
		{"rate without interval", []string{"--metric", "rate"}, 3, "needs --interval"},
		{"unknown metric", []string{"--metric", "speed"}, 3, "--metric \"speed\""},
		{"bad threshold", []string{"--critical", "20:10"}, 3, "start is above end"},
		{"rate", []string{"--metric", "rate", "--interval", "10ms", "--critical", "1:"}, 2, "quickstart.parse rate 0 (critical 1:)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, code := checkRun(t, append([]string{"metrics", "--url", url}, tc.args...)...)
			if code != tc.code || !strings.Contains(line, tc.want) {
				t.Errorf("%d %q\nwant %d and %q", code, line, tc.code, tc.want)
			}
		})
	}
	m.OnNodeStopped("taxonomy", nil)
	if line, code := checkRun(t, "metrics", "--url", url, "--node", "taxonomy"); code != 2 || !strings.Contains(line, "quickstart.taxonomy is down") {
		t.Errorf("down: %d %q", code, line)
	}
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	if line, code := checkRun(t, "metrics", "--url", notFound.URL+"/metrics"); code != 3 || !strings.Contains(line, "404 Not Found") {
		t.Errorf("404: %d %q", code, line)
	}
}

func TestCheckLagOnKfake(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "quickstart.collect", "quickstart.parse"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("quickstart.collect"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	for i := range 10 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: fmt.Appendf(nil, "report %d", i)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// The parse node's group committed 4 of the 10 reports.
	adm := kadm.NewClient(cl)
	var offsets kadm.Offsets
	offsets.Add(kadm.Offset{Topic: "quickstart.collect", Partition: 0, At: 4, LeaderEpoch: -1})
	if err := adm.CommitAllOffsets(ctx, "quickstart.parse", offsets); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--node", "parse", "--warning", "5", "--critical", "10"}, 1,
			"LAG WARNING - quickstart.parse 6 (warning 5) | 'quickstart.parse'=6;5;10"},
		{[]string{"--node", "parse", "--warning", "6", "--critical", "10"}, 0,
			"LAG OK - 6 records behind in 1 consumer groups of quickstart | 'quickstart.parse'=6;6;10"},
		{[]string{"--node", "parse", "--critical", "@6:6"}, 2, "quickstart.parse 6 (critical @6:6)"},
		// The taxonomy node never ran: its group has committed nothing.
		{[]string{"--node", "taxonomy", "--node", "parse", "--critical", "1"}, 2, "'quickstart.taxonomy'=0;;1"},
		{[]string{"--node", "output"}, 3, "topic quickstart.taxonomy does not exist"},
		{[]string{"--node", "collect"}, 3, "no consuming node \"collect\""},
		{[]string{"nope"}, 3, "no topology named"},
	}
	for _, tc := range tests {
		args := append([]string{"lag", "--brokers", brokers}, tc.args...)
		if !strings.HasPrefix(tc.args[0], "nope") {
			args = append(args, "quickstart")
		}
		line, code := checkRun(t, args...)
		if code != tc.code || !strings.Contains(line, tc.want) {
			t.Errorf("%v: %d %q\nwant %d and %q", tc.args, code, line, tc.code, tc.want)
		}
	}
	if _, code := checkRun(t, "lag", "quickstart"); code != 3 {
		t.Errorf("no --brokers: %d", code)
	}
}

// TestCheckLagWithSASL checks the lag of a cluster that wants SASL: with
// the credentials given by flags it answers, without them it cannot.
func TestCheckLagWithSASL(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "ops", "s3cret"),
		kfake.SeedTopics(1, "quickstart.collect", "quickstart.parse"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	line, code := checkRun(t, "lag", "--brokers", brokers, "--sasl-mechanism", "scram-sha-256", "--sasl-user", "ops", "--sasl-password", "s3cret",
		"--node", "parse", "--timeout", "20s", "quickstart")
	if code != 0 || !strings.Contains(line, "'quickstart.parse'=0") {
		t.Errorf("with the credentials: %d %q", code, line)
	}
	line, code = checkRun(t, "lag", "--brokers", brokers, "--sasl-mechanism", "scram-sha-256", "--sasl-user", "ops", "--sasl-password", "wrong",
		"--node", "parse", "--timeout", "3s", "quickstart")
	if code != 3 {
		t.Errorf("with a wrong password: %d %q, want UNKNOWN", code, line)
	}
	if line, code := checkRun(t, "lag", "--brokers", brokers, "--sasl-mechanism", "gssapi", "quickstart"); code != 3 || !strings.Contains(line, "SASL mechanism") {
		t.Errorf("an unknown mechanism: %d %q", code, line)
	}
}
