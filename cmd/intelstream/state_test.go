package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// stateTestSeen counts what the state test topology's output got.
var stateTestSeen atomic.Int64

func init() {
	// ips events (--set ips=N) through a deduplicator on source.ip.
	topology.Define(topology.Definition{Name: "state-cli-test", Doc: "state export/import test", Build: func(p map[string]string) (*topology.Topology, error) {
		ips, _ := strconv.Atoi(p["ips"])
		top := topology.New("state-cli-test")
		src := topology.Source(top, "collect", topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
			for i := range ips {
				e := &dho.Event{}
				if err := e.Set("source.ip", fmt.Sprintf("10.3.0.%d", i+1)); err != nil {
					return err
				}
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		}))
		kept := topology.MapKind[dho.Event, dho.Event](top, "dedup", src, deduplicator.Name, map[string]any{"filter_type": "whitelist", "filter_keys": []string{"source.ip"}})
		topology.Sink(top, "out", kept, topology.OutputFunc[dho.Event](func(_ context.Context, b []*dho.Event) error {
			stateTestSeen.Add(int64(len(b)))
			return nil
		}))
		return top, nil
	}})
}

func stateTestCluster(t *testing.T) (brokers, registry string, tr *kafka.Transport, reg *schemas.Registry) {
	t.Helper()
	k := kafkatest.New(t)
	return strings.Join(k.Brokers, ","), k.RegistryURL, k.Tr, k.Reg
}

func TestStateExportImport(t *testing.T) {
	const ips = 30
	brokersA, regA, trA, regObjA := stateTestCluster(t)
	top, err := topology.Build("state-cli-test", map[string]string{"ips": strconv.Itoa(ips)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stateTestSeen.Store(0)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(trA), topology.WithRegistry(regObjA), topology.WithMemoryState(), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	deadline := time.Now().Add(60 * time.Second)
	for stateTestSeen.Load() < ips {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "dedup.jsonl")
	if _, stderr, err := run(t, "", "state", "export", "state-cli-test", "--node", "dedup", "--brokers", brokersA, "--registry", regA, "-o", file); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if !strings.Contains(lines[0], `"format":"intelstream-state"`) || !strings.Contains(lines[0], `"node":"dedup"`) {
		t.Fatalf("header %s", lines[0])
	}
	var entries, offsets int
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, `{"table":`):
			entries++
		case strings.HasPrefix(l, `{"topic":"state-cli-test.collect"`):
			offsets++
		default:
			t.Fatalf("line %s", l)
		}
	}
	// The deduplicator keeps a hash and an expiry entry per event.
	if entries != 2*ips || offsets == 0 {
		t.Fatalf("%d entries (want %d), %d offsets", entries, 2*ips, offsets)
	}
	stdout, _, err := run(t, "", "state", "export", "state-cli-test", "--node", "dedup", "--brokers", brokersA, "--registry", regA)
	if err != nil || stdout != string(data) {
		t.Fatalf("export to stdout: %v, differs: %v", err, stdout != string(data))
	}

	brokersB, regB, trB, _ := stateTestCluster(t)
	// The offsets point into the input topic: it must be there.
	if _, _, err := run(t, "", "state", "import", "state-cli-test", "--node", "dedup", "--brokers", brokersB, "--registry", regB, "-i", file); err == nil || !strings.Contains(err.Error(), "copy it to this cluster first") {
		t.Fatalf("import without the input topic: %v", err)
	}
	if err := trB.CreateTopics(context.Background(), transport.TopicSpec{Name: "state-cli-test.collect", Partitions: 3, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := run(t, "", "state", "import", "state-cli-test", "--node", "dedup", "--brokers", brokersB, "--registry", regB, "-i", file); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	dump, _, err := run(t, "", "state", "dump", "state-cli-test", "--node", "dedup", "--brokers", brokersB, "--registry", regB)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(dump, `"table":`); n != entries {
		t.Fatalf("B holds %d entries, want %d:\n%s", n, entries, dump)
	}
	// Another node's state is refused, naming both.
	if _, _, err := run(t, string(data), "state", "import", "state-cli-test", "--node", "out", "--brokers", brokersB, "--registry", regB, "-i", "-"); err == nil || !strings.Contains(err.Error(), "keeps no tables") {
		t.Errorf("import into a node without tables: %v", err)
	}
	bad := strings.Replace(string(data), `"node":"dedup"`, `"node":"other"`, 1)
	if _, _, err := run(t, bad, "state", "import", "state-cli-test", "--node", "dedup", "--brokers", brokersB, "--registry", regB, "-i", "-"); err == nil || !strings.Contains(err.Error(), "node other") {
		t.Errorf("import of another node's state: %v", err)
	}
	if _, _, err := run(t, "", "state", "import", "state-cli-test", "--node", "dedup", "--brokers", brokersB, "--registry", regB); err == nil || !strings.Contains(err.Error(), "-i") {
		t.Errorf("import without -i: %v", err)
	}
}
