package topology_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

const (
	crashReports = 200
	crashLines   = 50
)

// crashTopology: reports → parse (slow, in a subprocess) → out. The test
// itself plays collector and sink, reading and writing the topics.
func crashTopology() *topology.Topology {
	slowParser := topology.ProcessorFunc[dho.Report, dho.Event](func(ctx context.Context, r *dho.Report, emit func(*dho.Event)) error {
		time.Sleep(5 * time.Millisecond) // so that the kill lands mid-stream
		return lineParser(ctx, r, emit)
	})
	top := topology.New("crash")
	reports := topology.Source(top, "collect", lines(0))
	events := topology.Map(top, "parse", reports, topology.Processor[dho.Report, dho.Event](slowParser), topology.MaxInFlight(20))
	topology.Sink(top, "out", events, &memOutput{})
	return top
}

// TestHelperNode is not a test: the crash test runs it in a subprocess to
// run one node until it is killed.
func TestHelperNode(t *testing.T) {
	brokers, registry := os.Getenv("CRASH_BROKERS"), os.Getenv("CRASH_REGISTRY")
	if brokers == "" {
		t.Skip("run by TestNodeSurvivesSIGKILL")
	}
	// A short session, so that the group notices the killed member soon.
	tr, err := kafka.New(kafka.Brokers(strings.Split(brokers, ",")...),
		kafka.KgoOpts(kgo.SessionTimeout(6*time.Second), kgo.HeartbeatInterval(500*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := schemas.NewRegistry([]string{registry})
	if err != nil {
		t.Fatal(err)
	}
	opts := []topology.RunOption{topology.WithTransport(tr), topology.WithRegistry(reg),
		topology.OnlyNodes("parse"), topology.WithLogger(slog.New(slog.DiscardHandler))}
	if os.Getenv("CRASH_EXACTLY_ONCE") != "" {
		opts = append(opts, topology.ExactlyOnce())
	}
	// SIGTERM is a graceful stop: finish the batch, commit, leave.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	err = crashTopology().Run(ctx, opts...)
	if err != nil || ctx.Err() == nil {
		t.Fatalf("node returned: %v", err)
	}
}

func startNode(t *testing.T, brokers []string, registry string, exactlyOnce bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperNode$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CRASH_BROKERS="+strings.Join(brokers, ","), "CRASH_REGISTRY="+registry)
	if exactlyOnce {
		cmd.Env = append(cmd.Env, "CRASH_EXACTLY_ONCE=1")
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestNodeSurvivesSIGKILL kills the parser node's process mid-stream and
// restarts it: every input line still reaches the output topic, with
// duplicates only where at-least-once allows them, and none at all with
// transactions (exactly once).
func TestNodeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	t.Run("at-least-once", func(t *testing.T) { crashAndRestart(t, false, syscall.SIGKILL) })
	t.Run("exactly-once", func(t *testing.T) { crashAndRestart(t, true, syscall.SIGKILL) })
}

// TestNodeStopsGracefullyOnSIGTERM: a SIGTERM mid-stream lets the node
// finish and commit its batch, so the restarted node duplicates nothing,
// even without transactions.
func TestNodeStopsGracefullyOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	crashAndRestart(t, false, syscall.SIGTERM)
}

func crashAndRestart(t *testing.T, exactlyOnce bool, sig syscall.Signal) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fake := srfake.New()
	defer fake.Close()
	brokers := c.ListenAddrs()
	tr, err := kafka.New(kafka.Brokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	reg, _ := schemas.NewRegistry([]string{fake.URL()})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	top := crashTopology()
	var specs []transport.TopicSpec
	for _, name := range top.Topics() {
		specs = append(specs, transport.TopicSpec{Name: name, Partitions: 3, ReplicationFactor: 1})
	}
	if err := tr.CreateTopics(ctx, specs...); err != nil {
		t.Fatal(err)
	}
	// The reports, as a collector node would have written them.
	serde := schemas.NewSerde(reg, schemas.TopicName)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range crashReports {
		var b strings.Builder
		for j := range crashLines {
			fmt.Fprintf(&b, "10.%d.%d.1,scanner\n", i, j)
		}
		r := &dho.Report{Raw: []byte(b.String())}
		v, err := serde.EncodeReport(ctx, "crash.collect", r)
		if err != nil {
			t.Fatal(err)
		}
		cl.Produce(ctx, &kgo.Record{Topic: "crash.collect", Key: []byte(fmt.Sprint(i)), Value: v}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Read the output topic as it fills.
	seen := map[string]int{}
	total := 0
	reader, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("crash.parse"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	readUntil := func(want func() bool) {
		t.Helper()
		for !want() {
			fetches := reader.PollFetches(ctx)
			if err := ctx.Err(); err != nil {
				t.Fatalf("timed out with %d distinct of %d events", len(seen), crashReports*crashLines)
			}
			fetches.EachRecord(func(r *kgo.Record) {
				var e dho.Event
				if err := serde.DecodeEvent(ctx, r.Value, &e); err != nil {
					t.Fatalf("output record: %v", err)
				}
				seen[e.Source.IP[0]]++
				total++
			})
		}
	}

	node := startNode(t, brokers, fake.URL(), exactlyOnce)
	readUntil(func() bool { return total >= 500 })
	if err := node.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	werr := node.Wait()
	if sig == syscall.SIGTERM && werr != nil {
		t.Fatalf("the node did not stop cleanly on SIGTERM: %v", werr)
	}
	killedAt := len(seen)
	if killedAt >= crashReports*crashLines {
		t.Fatalf("the node finished before it was killed (%d events); slow it down", killedAt)
	}
	node = startNode(t, brokers, fake.URL(), exactlyOnce)
	defer func() { _ = node.Process.Kill(); _ = node.Wait() }()
	readUntil(func() bool { return len(seen) == crashReports*crashLines })
	if exactlyOnce || sig == syscall.SIGTERM {
		// Let anything late arrive, then count duplicates.
		lctx, lcancel := context.WithTimeout(ctx, 2*time.Second)
		reader.PollFetches(lctx).EachRecord(func(*kgo.Record) { total++ })
		lcancel()
		if total != len(seen) {
			t.Errorf("%d records for %d events: duplicates", total, len(seen))
		}
	}
	t.Logf("killed after %d distinct events; %d records in all for %d events (%d duplicates)", killedAt, total, len(seen), total-len(seen))
}
