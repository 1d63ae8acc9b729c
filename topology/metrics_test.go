package topology_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// gateOutput holds every write until opened.
type gateOutput struct {
	memOutput
	open chan struct{}
}

func (g *gateOutput) Write(ctx context.Context, batch []*dho.Event) error {
	<-g.open
	return g.memOutput.Write(ctx, batch)
}

func TestMetricsAndLag(t *testing.T) {
	e := newEnv(t)
	const n = 500
	out := &gateOutput{open: make(chan struct{})}
	top := topology.New("metrics")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(n)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", events, out, topology.MaxInFlight(50))
	reg := prometheus.NewRegistry()
	m, err := topology.NewMetrics(top, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithHooks(m),
			topology.WithLagInterval(50*time.Millisecond), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	gauge := func(name, node string) float64 {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
			for _, metric := range mf.GetMetric() {
				for _, l := range metric.GetLabel() {
					if l.GetName() == "node" && l.GetValue() == node {
						return metric.GetGauge().GetValue() + metric.GetCounter().GetValue()
					}
				}
			}
		}
		return -1
	}
	// The output is stuck: its lag grows to the whole input (less what it holds).
	waitFor(t, "lag behind the stuck output", func() bool { return gauge("intelstream_consumer_lag_records", "out") >= n-50 })
	if up := gauge("intelstream_node_up", "out"); up != 1 {
		t.Errorf("node_up = %v", up)
	}
	close(out.open)
	waitFor(t, "the output to catch up", func() bool { return out.distinct() == n && gauge("intelstream_consumer_lag_records", "out") == 0 })
	waitFor(t, "counters", func() bool {
		return gauge("intelstream_records_committed_total", "out") >= n && gauge("intelstream_records_produced_total", "parse") >= n
	})
	if got := gauge("intelstream_records_received_total", "parse"); got != 1 {
		t.Errorf("parse received %v reports, want 1", got)
	}
	if c := testutil.CollectAndCount(reg, "intelstream_processing_seconds"); c == 0 {
		t.Error("no latency histogram")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if up := gauge("intelstream_node_up", "out"); up != 0 {
		t.Errorf("node_up after stop = %v", up)
	}
}
