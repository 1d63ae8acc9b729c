package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOneProcessPerNode runs the quickstart as the deployment guide says:
// intelstream broker in one process and every node in its own process
// (intelstream run quickstart --node NAME) against it.
func TestOneProcessPerNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "intelstream")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	broker := exec.CommandContext(ctx, bin, "broker", "--listen", "127.0.0.1:0", "--registry-listen", "127.0.0.1:0")
	stdout, _ := broker.StdoutPipe()
	broker.Stderr = os.Stderr
	if err := broker.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = broker.Process.Signal(syscall.SIGTERM); _ = broker.Wait() }()
	var kafkaAddr, registry string
	sc := bufio.NewScanner(stdout)
	for (kafkaAddr == "" || registry == "") && sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "kafka: "); ok {
			kafkaAddr = v
		}
		if v, ok := strings.CutPrefix(line, "registry: "); ok {
			registry = v
		}
	}
	if kafkaAddr == "" || registry == "" {
		t.Fatal("the broker did not print its addresses")
	}

	out := filepath.Join(dir, "events.jsonl")
	var nodes []*exec.Cmd
	for _, node := range []string{"output", "taxonomy", "parse", "collect"} {
		cmd := exec.CommandContext(ctx, bin, "run", "quickstart", "--node", node, "--brokers", kafkaAddr, "--registry", registry,
			"--set", "output="+out, "--log-level", "warn")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, cmd)
	}
	defer func() {
		for _, n := range nodes {
			_ = n.Process.Signal(syscall.SIGTERM)
		}
		for _, n := range nodes {
			if err := n.Wait(); err != nil {
				t.Errorf("node process: %v", err)
			}
		}
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		data, _ := os.ReadFile(out)
		if n := strings.Count(string(data), "\n"); n >= 60 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the events did not arrive")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
