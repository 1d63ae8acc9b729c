package outtest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Run runs a topology on an in-process Kafka broker: a source emitting
// events into a topic and a sink node driving out, as the runtime drives
// every output (batches, retries with backoff, dead letters). It returns
// when done reports true (polled every 20ms) or fails the test after
// timeout. opts are the sink's node options (batch size, retries).
func Run(t testing.TB, events []*dho.Event, out topology.Output[dho.Event], done func() bool, timeout time.Duration, opts ...topology.NodeOption) {
	t.Helper()
	RunPaced(t, events, len(events), 0, out, done, timeout, opts...)
}

// RunPaced is Run with the source emitting chunk events, then pausing,
// so that the output gets several batches (a poll takes what is there).
func RunPaced(t testing.TB, events []*dho.Event, chunk int, pause time.Duration, out topology.Output[dho.Event], done func() bool, timeout time.Duration, opts ...topology.NodeOption) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cl, err := embedded.Start(ctx, embedded.Logger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tr, err := kafka.New(kafka.Brokers(cl.Brokers()...))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	reg, err := schemas.NewRegistry([]string{cl.RegistryURL()})
	if err != nil {
		t.Fatal(err)
	}
	top := topology.New("outtest")
	src := topology.Source(top, "in", topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
		for i, e := range events {
			if i > 0 && i%chunk == 0 && pause > 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(pause):
				}
			}
			if err := emit(e); err != nil {
				return err
			}
		}
		<-ctx.Done()
		return nil
	}))
	opts = append([]topology.NodeOption{topology.Retries(1000, 20*time.Millisecond)}, opts...)
	topology.Sink(top, "out", src, out, opts...)
	errc := make(chan error, 1)
	go func() {
		errc <- top.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	deadline := time.After(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !done() {
		select {
		case err := <-errc:
			t.Fatalf("topology ended before the events arrived: %v", err)
		case <-deadline:
			t.Fatalf("the events did not all arrive within %s", timeout)
		case <-tick.C:
		}
	}
	cancel()
	if err := <-errc; err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
}
