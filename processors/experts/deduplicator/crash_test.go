package deduplicator_test

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

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// The crash tests feed distinct addresses twice each (the second time
// with another event id, after every first time) to a deduplicator node
// in a subprocess, kill or move it mid-stream, and read its output topic:
// every address must come out (nothing lost) and only ever with the id of
// its first event (the state survived: no second event passed). A record
// may come out again after a kill (at least once), with the same id.
const crashDistinct = 1500

// crashTopology: collect → dedup → out; the test writes the collect topic
// and reads the dedup topic, the subprocess runs the dedup node.
func crashTopology() *topology.Topology {
	p, err := deduplicator.Spec.Validate(map[string]any{"filter_type": "whitelist", "filter_keys": "source.ip", "redis_cache_ttl": "1h"})
	if err != nil {
		panic(err)
	}
	dd, err := deduplicator.New(p)
	if err != nil {
		panic(err)
	}
	slow := &slowDedup{dd}
	top := topology.New("ddcrash")
	in := topology.Source(top, "collect", topology.CollectorFunc[dho.Event](func(ctx context.Context, _ func(*dho.Event) error) error {
		<-ctx.Done()
		return nil
	}))
	out := topology.Map(top, "dedup", in, topology.Processor[dho.Event, dho.Event](slow), topology.MaxInFlight(20), topology.TickEvery(time.Second))
	topology.Sink(top, "out", out, topology.OutputFunc[dho.Event](func(context.Context, []*dho.Event) error { return nil }))
	return top
}

// slowDedup slows the deduplicator down so that a kill lands mid-stream.
type slowDedup struct{ *deduplicator.Expert }

func (s *slowDedup) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	time.Sleep(time.Millisecond)
	return s.Expert.Process(ctx, e, emit)
}

// TestHelperDedupNode is not a test: the crash tests run it in a
// subprocess to run the dedup node until it is killed or stopped.
func TestHelperDedupNode(t *testing.T) {
	brokers := os.Getenv("DDCRASH_BROKERS")
	if brokers == "" {
		t.Skip("run by the crash tests")
	}
	tr, err := kafka.New(kafka.Brokers(strings.Split(brokers, ",")...),
		kafka.KgoOpts(kgo.SessionTimeout(6*time.Second), kgo.HeartbeatInterval(500*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := schemas.NewRegistry([]string{os.Getenv("DDCRASH_REGISTRY")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	err = crashTopology().Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes("dedup"),
		topology.WithStateDir(os.Getenv("DDCRASH_STATE")), topology.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil || ctx.Err() == nil {
		t.Fatalf("node returned: %v", err)
	}
}

type crashEnv struct {
	t        *testing.T
	ctx      context.Context
	brokers  []string
	registry string
	serde    *schemas.Serde
	reader   *kgo.Client
	ids      map[string]map[string]bool // address → event ids that came out
	records  int
}

func newCrashEnv(t *testing.T) *crashEnv {
	k := kafkatest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	e := &crashEnv{t: t, ctx: ctx, brokers: k.Brokers, registry: k.RegistryURL, ids: map[string]map[string]bool{}}
	var specs []transport.TopicSpec
	for _, name := range crashTopology().Topics() {
		specs = append(specs, transport.TopicSpec{Name: name, Partitions: 3, ReplicationFactor: 1})
	}
	if err := k.Tr.CreateTopics(ctx, specs...); err != nil {
		t.Fatal(err)
	}
	e.serde = schemas.NewSerde(k.Reg, schemas.TopicName)
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// Every address twice, keyed by address so that both land in the
	// partition whose state knows the first.
	for round := range 2 {
		for i := range crashDistinct {
			ev := &dho.Event{}
			ip := fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)
			if err := ev.Set("source.ip", ip); err != nil {
				t.Fatal(err)
			}
			ev.ID = fmt.Sprintf("round%d-%d", round, i)
			v, err := e.serde.EncodeEvent(ctx, "ddcrash.collect", ev)
			if err != nil {
				t.Fatal(err)
			}
			cl.Produce(ctx, &kgo.Record{Topic: "ddcrash.collect", Key: []byte(ip), Value: v}, nil)
		}
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e.reader, err = kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumeTopics("ddcrash.dedup"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.reader.Close)
	return e
}

func (e *crashEnv) start(stateDir string) *exec.Cmd {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDedupNode$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DDCRASH_BROKERS="+strings.Join(e.brokers, ","), "DDCRASH_REGISTRY="+e.registry, "DDCRASH_STATE="+stateDir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// readUntil reads the output topic until cond holds.
func (e *crashEnv) readUntil(what string, cond func() bool) {
	e.t.Helper()
	for !cond() {
		fetches := e.reader.PollFetches(e.ctx)
		if e.ctx.Err() != nil {
			e.t.Fatalf("timed out waiting for %s: %d of %d addresses out", what, len(e.ids), crashDistinct)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			var ev dho.Event
			if err := e.serde.DecodeEvent(e.ctx, r.Value, &ev); err != nil {
				e.t.Fatalf("output record: %v", err)
			}
			ip := ev.Source.IP[0]
			if e.ids[ip] == nil {
				e.ids[ip] = map[string]bool{}
			}
			e.ids[ip][ev.ID] = true
			e.records++
		})
	}
}

// settle reads what else comes within d, then checks the output.
func (e *crashEnv) check(d time.Duration) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, d)
	defer cancel()
	for ctx.Err() == nil {
		e.reader.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var ev dho.Event
			if err := e.serde.DecodeEvent(e.ctx, r.Value, &ev); err == nil {
				e.ids[ev.Source.IP[0]][ev.ID] = true
				e.records++
			}
		})
	}
	if len(e.ids) != crashDistinct {
		e.t.Errorf("%d addresses out, want %d", len(e.ids), crashDistinct)
	}
	for ip, ids := range e.ids {
		if len(ids) != 1 || !firstRound(ids) {
			e.t.Errorf("%s came out with ids %v: a duplicate passed (the state was lost)", ip, ids)
		}
	}
	e.t.Logf("%d records for %d addresses (%d repeated by at-least-once)", e.records, len(e.ids), e.records-len(e.ids))
}

// firstRound says whether the ids are of first-round events only.
func firstRound(ids map[string]bool) bool {
	for id := range ids {
		if !strings.HasPrefix(id, "round0-") {
			return false
		}
	}
	return true
}

// TestDedupStateSurvivesSIGKILL kills the node mid-stream and restarts it
// with its local store kept, and with it deleted (restored from the
// changelog alone).
func TestDedupStateSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	for _, keep := range []bool{true, false} {
		t.Run(map[bool]string{true: "store kept", false: "store deleted"}[keep], func(t *testing.T) {
			e := newCrashEnv(t)
			dir := t.TempDir()
			node := e.start(dir)
			e.readUntil("the first outputs", func() bool { return len(e.ids) >= 400 })
			if err := node.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = node.Wait()
			if len(e.ids) >= crashDistinct {
				t.Fatal("the node finished before it was killed; slow it down")
			}
			if !keep {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			e.start(dir)
			e.readUntil("every address", func() bool { return len(e.ids) == crashDistinct })
			e.check(3 * time.Second)
		})
	}
}

// TestDedupStateMovesOnRebalance: a second instance with a state directory
// of its own joins mid-stream; the partitions it takes over come with
// their state (restored from the changelog), so no duplicate passes.
func TestDedupStateMovesOnRebalance(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	e := newCrashEnv(t)
	e.start(t.TempDir())
	e.readUntil("the first outputs", func() bool { return len(e.ids) >= 300 })
	second := e.start(t.TempDir())
	e.readUntil("every address", func() bool { return len(e.ids) == crashDistinct })
	e.check(3 * time.Second)
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("the second instance did not stop cleanly: %v", err)
	}
}
