package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// produceN produces n records "v0".."v{n-1}" and fails on any error.
func produceN(ctx context.Context, t *testing.T, tr transport.Transport, topic string, n int) {
	t.Helper()
	p, err := tr.NewProducer(transport.ProducerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var mu sync.Mutex
	var errs []error
	for i := range n {
		r := &transport.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d", i%13), Value: fmt.Appendf(nil, "v%d", i)}
		p.Produce(ctx, r, func(_ *transport.Record, err error) {
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("%d records failed, first: %v", len(errs), errs[0])
	}
}

// consumeAll reads topic in a new group until n records arrived and
// checks that they are v0..v{n-1}, each once.
func consumeAll(ctx context.Context, t *testing.T, tr transport.Transport, topic string, n int) {
	t.Helper()
	c, err := tr.NewConsumer(transport.ConsumerOptions{Group: topic + ".check", Topics: []string{topic}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seen := map[string]int{}
	for total := 0; total < n; {
		recs, err := c.Poll(ctx)
		if err != nil {
			t.Fatalf("after %d records: %v", total, err)
		}
		total += len(recs)
		for _, r := range recs {
			seen[string(r.Value)]++
		}
	}
	for i := range n {
		if k := seen[fmt.Sprintf("v%d", i)]; k != 1 {
			t.Errorf("v%d delivered %d times", i, k)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct records, want %d", len(seen), n)
	}
}

func createTopic(ctx context.Context, t *testing.T, tr transport.Transport, topic string, parts int32) {
	t.Helper()
	if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: topic, Partitions: parts, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
}

// The idempotent producer retries failed produce requests without losing
// or duplicating records.
func TestProduceFaultsLoseAndDuplicateNothing(t *testing.T) {
	for _, kerrErr := range []*kerr.Error{kerr.NotLeaderForPartition, kerr.RequestTimedOut, kerr.NotEnoughReplicasAfterAppend} {
		t.Run(kerrErr.Message, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			c := newCluster(t)
			// NOT_LEADER_FOR_PARTITION makes kgo refresh metadata,
			// at most every MetadataMinAge (5s by default).
			tr := newTransport(t, c, kafka.KgoOpts(kgo.MetadataMinAge(50*time.Millisecond)))
			createTopic(ctx, t, tr, "t", 3)
			// REQUEST_TIMED_OUT and NOT_ENOUGH_REPLICAS_AFTER_APPEND
			// are answered after the write happened: a naive retry
			// would duplicate.
			h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "t", Err: kerrErr, Count: 3})
			produceN(ctx, t, tr, "t", 1000)
			if h.Hits() != 3 {
				t.Fatalf("fault hit %d times, want 3", h.Hits())
			}
			consumeAll(ctx, t, tr, "t", 1000)
		})
	}
}

// Fetch and commit errors the client retries do not lose records or
// commits.
func TestFetchAndCommitFaults(t *testing.T) {
	ctx := testCtx(t)
	c := newCluster(t)
	tr := newTransport(t, c)
	createTopic(ctx, t, tr, "t", 2)
	produceN(ctx, t, tr, "t", 200)

	fetch := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Fetch}, Topic: "t", Err: kerr.NotLeaderForPartition, Count: 2})
	cons, err := tr.NewConsumer(transport.ConsumerOptions{Group: "g", Topics: []string{"t"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []*transport.Record
	for len(got) < 200 {
		recs, err := cons.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
	}
	if fetch.Hits() == 0 {
		t.Fatal("fetch fault not hit")
	}
	commit := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.OffsetCommit}, Group: "g", Err: kerr.CoordinatorLoadInProgress, Count: 2})
	if err := cons.Commit(ctx, got); err != nil {
		t.Fatalf("Commit with retriable faults: %v", err)
	}
	if commit.Hits() == 0 {
		t.Fatal("commit fault not hit")
	}
	cons.Close()

	offs := fetchOffsets(ctx, t, c, "g")
	for p := int32(0); p < 2; p++ {
		o, _ := offs.Lookup("t", p)
		if o.At <= 0 {
			t.Errorf("partition %d: committed %d", p, o.At)
		}
	}
}

func fetchOffsets(ctx context.Context, t *testing.T, c *kfake.Cluster, group string) kadm.OffsetResponses {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offs, err := kadm.NewClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	return offs
}

// A member that polled records and lost their partitions in a rebalance
// cannot commit them: Commit skips them without an error, and their new
// owner reads them again.
func TestCommitSkipsRevokedPartitions(t *testing.T) {
	ctx := testCtx(t)
	c := newCluster(t)
	tr := newTransport(t, c)
	const parts, n = 4, 400
	createTopic(ctx, t, tr, "t", parts)
	produceN(ctx, t, tr, "t", n)

	var mu sync.Mutex
	revoked := map[int32]bool{}
	assignedB := map[int32]bool{}
	a, err := tr.NewConsumer(transport.ConsumerOptions{Group: "g", Topics: []string{"t"},
		OnRevoked: func(_ string, ps []int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range ps {
				revoked[p] = true
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var got []*transport.Record
	for len(got) < n {
		recs, err := a.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
	}

	b, err := tr.NewConsumer(transport.ConsumerOptions{Group: "g", Topics: []string{"t"},
		OnAssigned: func(_ string, ps []int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range ps {
				assignedB[p] = true
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// A's rebalance runs when A's client heartbeats; polling is not
	// needed for it.
	for {
		mu.Lock()
		settled := len(revoked) > 0 && len(assignedB) == len(revoked)
		mu.Unlock()
		if settled {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("no rebalance")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := a.Commit(ctx, got); err != nil {
		t.Fatalf("Commit after revocation: %v", err)
	}
	offs := fetchOffsets(ctx, t, c, "g")
	mu.Lock()
	defer mu.Unlock()
	for p := int32(0); p < parts; p++ {
		o, ok := offs.Lookup("t", p)
		committed := ok && o.Err == nil && o.At >= 0
		if revoked[p] && committed {
			t.Errorf("revoked partition %d committed at %d", p, o.At)
		}
		if !revoked[p] && !committed {
			t.Errorf("owned partition %d not committed (%+v)", p, o)
		}
	}
}

// Hooks reach every client; CreateTopics passes topic configs and
// accepts existing topics.
func TestHooksAndTopicConfig(t *testing.T) {
	ctx := testCtx(t)
	c := newCluster(t)
	var h countHook
	tr := newTransport(t, c, kafka.Hooks(&h), kafka.Partitions(2))
	spec := transport.TopicSpec{Name: "compacted", Config: map[string]string{"cleanup.policy": "compact"}}
	for range 2 { // the second time the topic exists
		if err := tr.CreateTopics(ctx, spec); err != nil {
			t.Fatal(err)
		}
	}
	produceN(ctx, t, tr, "compacted", 10)
	if h.n() != 10 {
		t.Errorf("hook saw %d records, want 10", h.n())
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	cfgs, err := adm.DescribeTopicConfigs(ctx, "compacted")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := cfgs.On("compacted", nil)
	if err != nil {
		t.Fatal(err)
	}
	var policy string
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" && c.Value != nil {
			policy = *c.Value
		}
	}
	if policy != "compact" {
		t.Errorf("cleanup.policy = %q", policy)
	}
	details, err := adm.ListTopics(ctx, "compacted")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(details["compacted"].Partitions); n != 2 {
		t.Errorf("%d partitions, want the transport's default 2", n)
	}
}

type countHook struct {
	mu sync.Mutex
	k  int
}

func (h *countHook) OnProduceRecordBuffered(*kgo.Record) {
	h.mu.Lock()
	h.k++
	h.mu.Unlock()
}

func (h *countHook) n() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.k
}

// SASL options authenticate with each mechanism; a wrong password fails.
func TestSASL(t *testing.T) {
	for _, m := range []struct {
		method string
		opt    func(u, p string) kafka.Option
	}{
		{"PLAIN", kafka.SASLPlain},
		{"SCRAM-SHA-256", kafka.SASLScram256},
		{"SCRAM-SHA-512", kafka.SASLScram512},
	} {
		t.Run(m.method, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			c := newCluster(t, kfake.EnableSASL(), kfake.Superuser(m.method, "user", "secret"))
			tr := newTransport(t, c, m.opt("user", "secret"))
			createTopic(ctx, t, tr, "t", 1)
			produceN(ctx, t, tr, "t", 5)
			consumeAll(ctx, t, tr, "t", 5)

			bad := newTransport(t, c, m.opt("user", "wrong"))
			// kfake drops the connection of a failed login and kgo
			// retries until the deadline: a short one is enough.
			short, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			err := bad.CreateTopics(short, transport.TopicSpec{Name: "u", Partitions: 1})
			t.Logf("wrong password: %v", err)
			if err == nil {
				t.Fatal("wrong password accepted")
			}
		})
	}
}
