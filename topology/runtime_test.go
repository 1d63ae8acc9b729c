package topology_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// env is a broker and a registry in the test process.
type env struct {
	cluster *kfake.Cluster
	brokers []string
	tr      *kafka.Transport
	reg     *schemas.Registry
}

func newEnv(t *testing.T) *env {
	t.Helper()
	// kgo waits MetadataMinAge (5s) before it refreshes metadata after a
	// NotLeaderForPartition; the fault tests need not wait that long.
	k := kafkatest.New(t, kgo.MetadataMinAge(50*time.Millisecond))
	return &env{cluster: k.Cluster, brokers: k.Brokers, tr: k.Tr, reg: k.Reg}
}

// lines is a collector that emits one report holding n lines.
func lines(n int) topology.Collector[dho.Report] {
	return topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		var b bytes.Buffer
		for i := range n {
			fmt.Fprintf(&b, "10.0.%d.%d,scanner\n", i/250, i%250+1)
		}
		r := &dho.Report{Raw: b.Bytes()}
		if err := r.Set("feed.name", "Test feed"); err != nil {
			return err
		}
		return emit(r)
	})
}

// lineParser turns "ip,type" lines into events; a line "bad" fails.
var lineParser = topology.ProcessorFunc[dho.Report, dho.Event](func(_ context.Context, r *dho.Report, emit func(*dho.Event)) error {
	for _, l := range strings.Split(strings.TrimSpace(string(r.Raw)), "\n") {
		ip, typ, _ := strings.Cut(l, ",")
		e := &dho.Event{}
		if err := e.Set("source.ip", ip); err != nil {
			return err
		}
		if err := e.Set("classification.type", typ); err != nil {
			return err
		}
		e.Feed = r.Feed
		emit(e)
	}
	return nil
})

// memOutput collects events.
type memOutput struct {
	mu     sync.Mutex
	events []*dho.Event
	ips    map[string]int
}

func (m *memOutput) Write(_ context.Context, batch []*dho.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ips == nil {
		m.ips = map[string]int{}
	}
	for _, e := range batch {
		m.events = append(m.events, e)
		m.ips[e.Source.IP[0]]++
	}
	return nil
}

func (m *memOutput) distinct() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ips)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunEndToEnd(t *testing.T) {
	e := newEnv(t)
	const n = 2000
	out := &memOutput{}
	top := topology.New("e2e")
	reports := topology.Source(top, "collect", lines(n))
	events := topology.Map(top, "parse", reports, topology.Processor[dho.Report, dho.Event](lineParser), topology.Produces("source.ip", "classification.type"))
	classified := topology.Map(top, "taxonomy", events, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	topology.Sink(top, "out", classified, out, topology.Requires("classification.taxonomy", "source.ip"))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg)) }()
	waitFor(t, fmt.Sprintf("%d events", n), func() bool { return out.distinct() == n })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	ids := map[string]bool{}
	for _, ev := range out.events {
		if ev.Classification.Taxonomy != "information-gathering" || ev.Feed.Name != "Test feed" || ev.ID == "" {
			t.Fatalf("event %s", ev.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO}))
		}
		ids[ev.ID] = true
	}
	if len(ids) != len(out.ips) {
		t.Errorf("%d ids for %d distinct events", len(ids), len(out.ips))
	}
}

func TestUndecodableRecordsGoToTheDeadLetterTopic(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	top := topology.New("dlq")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(3)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", events, out)

	// Garbage on the sink's input topic, before the topology starts.
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.tr.CreateTopics(ctx, transport.TopicSpec{Name: "dlq.parse", Partitions: 3, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "dlq.parse", Key: []byte("k"), Value: []byte("not avro")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg)) }()
	waitFor(t, "3 events", func() bool { return out.distinct() == 3 })

	// The garbage is in dlq.out.dlq with the reason and its origin.
	reader, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumeTopics("dlq.out.dlq"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
	defer pcancel()
	fetches := reader.PollRecords(pctx, 1)
	if err := fetches.Err(); err != nil {
		t.Fatal(err)
	}
	recs := fetches.Records()
	if len(recs) != 1 || string(recs[0].Value) != "not avro" || string(recs[0].Key) != "k" {
		t.Fatalf("dead letters: %v", recs)
	}
	h := map[string]string{}
	for _, x := range recs[0].Headers {
		h[x.Key] = string(x.Value)
	}
	if h[topology.HeaderDLQNode] != "out" || h[topology.HeaderDLQTopic] != "dlq.parse" || h[topology.HeaderDLQOffset] != "0" ||
		!strings.Contains(h[topology.HeaderDLQReason], "decoding") {
		t.Errorf("dead-letter headers %v", h)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestDeadLettersReplay(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	var broken sync.Map // IPs the expert fails on, until "fixed"
	broken.Store("10.0.0.2", true)
	flaky := topology.ProcessorFunc[dho.Event, dho.Event](func(_ context.Context, ev *dho.Event, emit func(*dho.Event)) error {
		if _, bad := broken.Load(ev.Source.IP[0]); bad {
			return fmt.Errorf("cannot enrich %s", ev.Source.IP[0])
		}
		emit(ev)
		return nil
	})
	top := topology.New("replay")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(3)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", topology.Map(top, "enrich", events, topology.Processor[dho.Event, dho.Event](flaky)), out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg)) }()
	waitFor(t, "2 events", func() bool { return out.distinct() == 2 })

	var dead []topology.DeadLetter
	waitFor(t, "the dead letter", func() bool {
		var err error
		dead, err = topology.ReadDeadLetters(ctx, e.tr, "replay.enrich.dlq", 500*time.Millisecond)
		return err == nil && len(dead) == 1
	})
	if d := dead[0]; d.Node != "enrich" || d.Topic != "replay.parse" || !strings.Contains(d.Reason, "cannot enrich 10.0.0.2") || d.Time.IsZero() {
		t.Fatalf("dead letter %+v", d)
	}
	broken.Delete("10.0.0.2") // the fix
	n, err := topology.ReplayDeadLetters(ctx, e.tr, "replay.enrich.dlq", 500*time.Millisecond)
	if err != nil || n != 1 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	waitFor(t, "the replayed event", func() bool { return out.distinct() == 3 })
	if n, err := topology.ReplayDeadLetters(ctx, e.tr, "replay.enrich.dlq", 500*time.Millisecond); err != nil || n != 0 {
		t.Fatalf("second replay sent %d, %v", n, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFailSendsPartsToTheDeadLetterTopic(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	parser := topology.ProcessorFunc[dho.Report, dho.Event](func(ctx context.Context, r *dho.Report, emit func(*dho.Event)) error {
		for _, l := range strings.Split(string(r.Raw), "\n") {
			ev := &dho.Event{}
			if err := ev.Set("source.ip", l); err != nil {
				topology.Fail(ctx, []byte(l), err)
				continue
			}
			emit(ev)
		}
		return nil
	})
	report := topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		return emit(&dho.Report{Raw: []byte("192.0.2.1\nnot-an-ip\n192.0.2.3")})
	})
	top := topology.New("parts")
	topology.Sink(top, "out", topology.Map(top, "parse", topology.Source(top, "collect", report), topology.Processor[dho.Report, dho.Event](parser)), out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg)) }()
	waitFor(t, "2 events", func() bool { return out.distinct() == 2 })
	var dead []topology.DeadLetter
	waitFor(t, "the bad line", func() bool {
		dead, _ = topology.ReadDeadLetters(ctx, e.tr, "parts.parse.dlq", 500*time.Millisecond)
		return len(dead) == 1
	})
	if d := dead[0]; string(d.Record.Value) != "not-an-ip" || !strings.Contains(d.Reason, `"not-an-ip" is not an IP address`) || d.Topic != "parts.collect" {
		t.Fatalf("dead letter %+v", d)
	}
	if n, err := topology.ReplayDeadLetters(ctx, e.tr, "parts.parse.dlq", 500*time.Millisecond); err != nil || n != 0 {
		t.Fatalf("a part was replayed: %d, %v", n, err)
	}
	if topology.Fail(context.Background(), nil, nil) {
		t.Error("Fail outside a node reported true")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestFaultsAndRebalanceLoseNothing: produce requests that fail (the
// idempotent producer retries), a processor whose failures are transient
// (the runtime retries with backoff), and a second instance of the output
// node joining mid-stream (a rebalance): every event still arrives, and
// nothing is dead-lettered.
func TestFaultsAndRebalanceLoseNothing(t *testing.T) {
	e := newEnv(t)
	e.cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "faults.parse", Err: kerr.NotLeaderForPartition, Count: 3})
	const n = 3000
	out := &memOutput{}
	var attempts sync.Map
	flaky := topology.ProcessorFunc[dho.Event, dho.Event](func(_ context.Context, ev *dho.Event, emit func(*dho.Event)) error {
		ip := ev.Source.IP[0]
		if strings.HasSuffix(ip, ".7") { // every 250th event fails twice
			v, _ := attempts.LoadOrStore(ip, new(int))
			if c := v.(*int); *c < 2 {
				*c++
				return topology.Transient(fmt.Errorf("lookup of %s timed out", ip))
			}
		}
		emit(ev)
		return nil
	})
	build := func(o topology.Output[dho.Event]) *topology.Topology {
		top := topology.New("faults")
		events := topology.Map(top, "parse", topology.Source(top, "collect", lines(n)), topology.Processor[dho.Report, dho.Event](lineParser))
		enriched := topology.Map(top, "enrich", events, topology.Processor[dho.Event, dho.Event](flaky), topology.Retries(3, time.Millisecond), topology.MaxInFlight(100))
		topology.Sink(top, "out", enriched, o, topology.MaxInFlight(100))
		return top
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 2)
	quiet := topology.WithLogger(slog.New(slog.DiscardHandler))
	go func() { done <- build(out).Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), quiet) }()
	waitFor(t, "the first events", func() bool { return out.distinct() > 0 })
	// A second instance of the output node, in the same group.
	go func() {
		done <- build(out).Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.OnlyNodes("out"), quiet)
	}()
	waitFor(t, fmt.Sprintf("%d events", n), func() bool { return out.distinct() == n })
	dead, err := topology.ReadDeadLetters(ctx, e.tr, "faults.enrich.dlq", 500*time.Millisecond)
	if err != nil || len(dead) != 0 {
		t.Fatalf("dead letters: %v, %v", dead, err)
	}
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestTransientFailuresThatPersistAreDeadLettered(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	failing := topology.ProcessorFunc[dho.Event, dho.Event](func(_ context.Context, ev *dho.Event, emit func(*dho.Event)) error {
		if ev.Source.IP[0] == "10.0.0.2" {
			return topology.Transient(errors.New("still down"))
		}
		emit(ev)
		return nil
	})
	top := topology.New("persist")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(3)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", topology.Map(top, "enrich", events, topology.Processor[dho.Event, dho.Event](failing), topology.Retries(2, time.Millisecond)), out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "2 events", func() bool { return out.distinct() == 2 })
	var dead []topology.DeadLetter
	waitFor(t, "the dead letter", func() bool {
		dead, _ = topology.ReadDeadLetters(ctx, e.tr, "persist.enrich.dlq", 500*time.Millisecond)
		return len(dead) == 1
	})
	if !strings.Contains(dead[0].Reason, "transient: still down") {
		t.Errorf("reason %q", dead[0].Reason)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestCollectorFlush(t *testing.T) {
	e := newEnv(t)
	flushed := make(chan error, 1)
	collector := topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		for i := range 10 {
			if err := emit(&dho.Report{Raw: []byte(fmt.Sprintf("10.0.0.%d,scanner", i+1))}); err != nil {
				return err
			}
		}
		flushed <- topology.Flush(ctx)
		return nil
	})
	out := &memOutput{}
	top := topology.New("flush")
	topology.Sink(top, "out", topology.Map(top, "parse", topology.Source(top, "collect", collector), topology.Processor[dho.Report, dho.Event](lineParser)), out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	// Once Flush returned, the reports are in the broker.
	cl, _ := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumeTopics("flush.collect"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	got := 0
	pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
	defer pcancel()
	for got < 10 && pctx.Err() == nil {
		got += cl.PollFetches(pctx).NumRecords()
	}
	if got != 10 {
		t.Fatalf("%d reports in the topic after Flush", got)
	}
	if err := topology.Flush(context.Background()); err != nil {
		t.Errorf("Flush outside a node: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestNodesGetTheirLogger(t *testing.T) {
	if topology.Logger(context.Background()) != slog.Default() {
		t.Error("outside a node Logger is not slog.Default()")
	}
	e := newEnv(t)
	var buf strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	logged := make(chan struct{})
	collector := topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		topology.Logger(ctx).Info("hello from the collector")
		close(logged)
		return nil
	})
	top := topology.New("logs")
	topology.Sink(top, "out", topology.Map(top, "parse", topology.Source(top, "collect", collector), topology.Processor[dho.Report, dho.Event](lineParser)), &memOutput{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(log))
	}()
	<-logged
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), `msg="hello from the collector" topology=logs node=collect`) {
		t.Errorf("log: %s", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestBranchRoutesRecords(t *testing.T) {
	e := newEnv(t)
	scanners, others := &memOutput{}, &memOutput{}
	report := topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		return emit(&dho.Report{Raw: []byte("10.0.0.1,scanner\n10.0.0.2,phishing\n10.0.0.3,scanner")})
	})
	top := topology.New("branch")
	events := topology.Map(top, "parse", topology.Source(top, "collect", report), topology.Processor[dho.Report, dho.Event](lineParser))
	routes := topology.Branch(top, "route", events, []topology.Route[dho.Event]{
		{Name: "scanners", Match: func(e *dho.Event) bool { return e.Classification.Type == "scanner" }},
	})
	topology.Sink(top, "scanners", routes[0], scanners)
	topology.Sink(top, "others", routes[1], others)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "the routed events", func() bool { return scanners.distinct() == 2 && others.distinct() == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if others.events[0].Source.IP[0] != "10.0.0.2" {
		t.Errorf("default route got %v", others.events[0].Source.IP)
	}
}

func TestMergeReadsEveryInput(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	top := topology.New("merge")
	a := topology.Map(top, "parse-a", topology.Source(top, "collect-a", lines(5)), topology.Processor[dho.Report, dho.Event](lineParser))
	b := topology.Map(top, "parse-b", topology.Source(top, "collect-b", topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		return emit(&dho.Report{Raw: []byte("192.0.2.1,scanner\n192.0.2.2,scanner")})
	})), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", topology.Merge(top, "both", []topology.Stream[dho.Event]{a, b}), out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "7 events from two inputs", func() bool { return out.distinct() == 7 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// batchTagger tags every event of a batch with the batch's size.
type batchTagger struct{ batches atomic.Int64 }

func (b *batchTagger) ProcessBatch(_ context.Context, ins []*dho.Event, emit func(*dho.Event)) error {
	b.batches.Add(1)
	for _, e := range ins {
		if err := e.Set("extra.batch_size", len(ins)); err != nil {
			return err
		}
		emit(e)
	}
	return nil
}

func TestMapBatch(t *testing.T) {
	e := newEnv(t)
	out := &memOutput{}
	tagger := &batchTagger{}
	top := topology.New("batch")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(300)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", topology.MapBatch(top, "tag", events, topology.BatchProcessor[dho.Event, dho.Event](tagger)), out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "300 events", func() bool { return out.distinct() == 300 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if _, ok := out.events[0].Extra["batch_size"]; !ok || tagger.batches.Load() == 0 || tagger.batches.Load() > 300 {
		t.Errorf("batches %d, first event %s", tagger.batches.Load(), out.events[0].MarshalFlat(dho.FlatOptions{}))
	}
}

// sizesOutput records the size of every batch it is given.
type sizesOutput struct {
	memOutput
	sizes []int
}

func (s *sizesOutput) Write(ctx context.Context, batch []*dho.Event) error {
	s.mu.Lock()
	s.sizes = append(s.sizes, len(batch))
	s.mu.Unlock()
	return s.memOutput.Write(ctx, batch)
}

func TestBatchOptionShapesOutputBatches(t *testing.T) {
	const n = 240
	for _, tc := range []struct {
		name       string
		size       int
		wait       time.Duration
		maxBatches int // at most this many writes
	}{
		{"one by one", 1, 0, n},
		{"fifty, waiting to fill", 50, 3 * time.Second, n/50 + 3},
		{"default", 0, 0, n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			out := &sizesOutput{}
			top := topology.New("batchopt")
			events := topology.Map(top, "parse", topology.Source(top, "collect", lines(n)), topology.Processor[dho.Report, dho.Event](lineParser))
			var opts []topology.NodeOption
			if tc.size > 0 {
				opts = append(opts, topology.Batch(tc.size, tc.wait))
			}
			topology.Sink(top, "out", events, out, opts...)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
			}()
			waitFor(t, fmt.Sprintf("%d events", n), func() bool { return out.distinct() == n })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			size := tc.size
			if size == 0 {
				size = topology.DefaultBatchSize
			}
			out.mu.Lock()
			defer out.mu.Unlock()
			total := 0
			for _, s := range out.sizes {
				if s > size {
					t.Errorf("a batch of %d, want at most %d", s, size)
				}
				total += s
			}
			if total != n || len(out.sizes) > tc.maxBatches {
				t.Errorf("batches %v: %d records in %d writes, want %d in at most %d", out.sizes, total, len(out.sizes), n, tc.maxBatches)
			}
			if tc.size == 1 && len(out.sizes) != n {
				t.Errorf("%d writes, want %d", len(out.sizes), n)
			}
		})
	}
}

// closingOutput counts its Close calls.
type closingOutput struct {
	memOutput
	closed atomic.Int32
}

func (c *closingOutput) Close() error { c.closed.Add(1); return nil }

func TestRunClosesProcessors(t *testing.T) {
	e := newEnv(t)
	out := &closingOutput{}
	top := topology.New("closing")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(10)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", events, out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "10 events", func() bool { return out.distinct() == 10 })
	if n := out.closed.Load(); n != 0 {
		t.Fatalf("closed %d times while running", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := out.closed.Load(); n != 1 {
		t.Fatalf("closed %d times after Run, want 1", n)
	}
}
