package topology_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/procstat"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// backlogTopology: a parser's output topic (filled by the benchmark) read
// by a sink that stalls, then drains.
func backlogTopology(sink topology.Output[dho.Event]) *topology.Topology {
	top := topology.New("backlog")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(0)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", events, sink)
	return top
}

// stallingSink blocks its first write for a while (a destination that is
// down), then takes everything; it exits the process once it has seen want
// records, printing the peak RSS.
type stallingSink struct {
	stall time.Duration
	want  int64
	seen  atomic.Int64
	once  atomic.Bool
}

func (s *stallingSink) Write(_ context.Context, batch []*dho.Event) error {
	if s.once.CompareAndSwap(false, true) {
		time.Sleep(s.stall)
	}
	if s.seen.Add(int64(len(batch))) >= s.want {
		fmt.Printf("BACKLOG-DONE seen=%d peak-rss-kib=%d\n", s.seen.Load(), procstat.PeakRSSKiB())
	}
	return nil
}

// TestHelperBacklogSink is not a test: BenchmarkBacklog runs it in a
// subprocess, so that the node's memory is measured without the broker's.
func TestHelperBacklogSink(t *testing.T) {
	brokers := os.Getenv("BACKLOG_BROKERS")
	if brokers == "" {
		t.Skip("run by BenchmarkBacklog")
	}
	want, _ := strconv.ParseInt(os.Getenv("BACKLOG_RECORDS"), 10, 64)
	tr, err := kafka.New(kafka.Brokers(strings.Split(brokers, ",")...))
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := schemas.NewRegistry([]string{os.Getenv("BACKLOG_REGISTRY")})
	sink := &stallingSink{stall: 5 * time.Second, want: want}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for sink.seen.Load() < want {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
	}()
	err = backlogTopology(sink).Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes("out"),
		topology.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkBacklog puts a backlog of records (BACKLOG_RECORDS, default 5M)
// in front of an output node that stalls for 5 seconds and then drains it,
// the node in its own process: it reports the node's peak RSS (the broker
// excluded) and the drain rate; nothing may be lost.
func BenchmarkBacklog(b *testing.B) {
	n := int64(5_000_000)
	if v := os.Getenv("BACKLOG_RECORDS"); v != "" {
		n, _ = strconv.ParseInt(v, 10, 64)
	}
	for b.Loop() {
		b.StopTimer()
		c, err := kfake.NewCluster(kfake.NumBrokers(1))
		if err != nil {
			b.Fatal(err)
		}
		fake := srfake.New()
		reg, _ := schemas.NewRegistry([]string{fake.URL()})
		brokers := c.ListenAddrs()
		tr, _ := kafka.New(kafka.Brokers(brokers...))
		ctx := context.Background()
		var specs []transport.TopicSpec
		for _, name := range backlogTopology(nil).Topics() {
			specs = append(specs, transport.TopicSpec{Name: name, Partitions: 3, ReplicationFactor: 1})
		}
		if err := tr.CreateTopics(ctx, specs...); err != nil {
			b.Fatal(err)
		}
		tr.Close()
		serde := schemas.NewSerde(reg, schemas.TopicName)
		id, err := serde.Prepare(ctx, "backlog.parse", schemas.EventRecord)
		if err != nil {
			b.Fatal(err)
		}
		cl, _ := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.MaxBufferedRecords(100_000))
		e, _ := dho.ParseEvent([]byte(`{"classification.type": "scanner", "feed.name": "Backlog", "source.ip": "192.0.2.1", "time.source": "2026-11-20T08:15:00+00:00"}`))
		e.EnsureID()
		value := schemas.AppendEvent(nil, id, e)
		for i := int64(0); i < n; i++ {
			cl.Produce(ctx, &kgo.Record{Topic: "backlog.parse", Key: []byte(strconv.FormatInt(i, 10)), Value: value}, nil)
		}
		if err := cl.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		cl.Close()
		b.StartTimer()
		start := time.Now()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBacklogSink$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "BACKLOG_BROKERS="+strings.Join(brokers, ","), "BACKLOG_REGISTRY="+fake.URL(),
			"BACKLOG_RECORDS="+strconv.FormatInt(n, 10))
		out, err := cmd.CombinedOutput()
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatalf("sink node: %v\n%s", err, out)
		}
		var seen, rss int64
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "BACKLOG-DONE") {
				fmt.Sscanf(line, "BACKLOG-DONE seen=%d peak-rss-kib=%d", &seen, &rss)
			}
		}
		if seen < n {
			b.Fatalf("the sink saw %d of %d records:\n%s", seen, n, out)
		}
		b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(n)/(elapsed-5*time.Second).Seconds(), "drained-records/s")
		fake.Close()
		c.Close()
		b.StartTimer()
	}
}
