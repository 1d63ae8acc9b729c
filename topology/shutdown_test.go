package topology_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport/kafka"
)

// TestStoppingNodeGivesUpOnAnUnresponsiveBroker stops a topology while the
// broker takes produce requests and never answers: the collector's last
// report cannot be flushed, and the run ends after the shutdown timeout
// (plus the transport's close timeout) instead of waiting for the broker
// for minutes. What was not flushed is not committed, so it comes again.
func TestStoppingNodeGivesUpOnAnUnresponsiveBroker(t *testing.T) {
	k := kafkatest.New(t)
	tr, err := kafka.New(kafka.Brokers(k.Brokers...), kafka.CloseTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })

	next := make(chan struct{})
	second := make(chan struct{})
	collector := topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		for i, ip := range []string{"192.0.2.1", "192.0.2.2"} {
			if i == 1 {
				select {
				case <-next:
				case <-ctx.Done():
					return nil
				}
			}
			r := &dho.Report{Raw: []byte(ip + ",scanner\n")}
			if err := r.Set("feed.name", "Test feed"); err != nil {
				return err
			}
			if err := emit(r); err != nil {
				return err
			}
		}
		close(second)
		<-ctx.Done()
		return nil
	})
	out := &memOutput{}
	top := topology.New("shutdown")
	events := topology.Map(top, "parse", topology.Source(top, "collect", collector), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", events, out)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(k.Reg), topology.WithShutdownTimeout(500*time.Millisecond))
	}()
	waitFor(t, "the first event", func() bool { return out.distinct() == 1 })

	// From now on the broker reads produce requests and never answers.
	k.Cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		k.Cluster.KeepControl()
		return nil, nil, true
	})
	close(next)
	<-second
	time.Sleep(200 * time.Millisecond) // the report is in the producer's hands
	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		t.Logf("run ended %v after the stop: %v", time.Since(stopped).Round(time.Millisecond), err)
	case <-time.After(30 * time.Second):
		t.Fatal("the run still waits for the broker 30s after it was told to stop")
	}
	if n := out.distinct(); n != 1 {
		t.Errorf("%d events came out, want 1 (the second report was never acknowledged)", n)
	}
}
