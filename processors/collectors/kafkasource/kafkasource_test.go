package kafkasource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

func cluster(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "feed"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func produce(t *testing.T, brokers []string, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic("feed"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, v := range values {
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func newCollector(t *testing.T, brokers []string) *Collector {
	t.Helper()
	p, err := Spec.ValidateIntelMQ(map[string]any{
		"topic": "feed", "bootstrap_servers": strings.Join(brokers, ","), "kafka_group_id": "g",
		"name": "Kafka feed", "retry_delay": "10ms",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.SetLogger(slog.New(slog.DiscardHandler))
	return c
}

// collect runs a collector until it emitted n reports, and returns them.
func collect(t *testing.T, brokers []string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	err := newCollector(t, brokers).Run(ctx, func(r *dho.Report) error {
		if r.Feed.Name != "Kafka feed" || r.Time.Observation == nil {
			t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
		}
		got = append(got, string(r.Raw))
		if len(got) == n {
			// Let the batch be committed before stopping.
			go func() { time.Sleep(300 * time.Millisecond); cancel() }()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return got
}

func TestMessagesCommittedAfterFlush(t *testing.T) {
	brokers := cluster(t)
	produce(t, brokers, "a", "", "b", "c")
	if got := collect(t, brokers, 3); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("first run: %q", got)
	}
	// The offsets were committed: a second run sees only the new message.
	produce(t, brokers, "d")
	if got := collect(t, brokers, 1); !slices.Equal(got, []string{"d"}) {
		t.Fatalf("second run: %q", got)
	}
}

func TestRestartBeforeCommitRedelivers(t *testing.T) {
	brokers := cluster(t)
	produce(t, brokers, "a", "b")
	crash := errors.New("crash before flush")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	err := newCollector(t, brokers).Run(ctx, func(r *dho.Report) error {
		if n++; n == 2 {
			return crash // the node dies before Flush and the commit
		}
		return nil
	})
	if !errors.Is(err, crash) {
		t.Fatalf("Run: %v", err)
	}
	if got := collect(t, brokers, 2); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("after the restart: %q", got)
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{}, "kafka_topic"},
		{map[string]any{"kafka_topic": " "}, "kafka_topic"},
		{map[string]any{"kafka_topic": "t", "kafka_bootstrap_servers": "nohost"}, "kafka_bootstrap_servers"},
		{map[string]any{"kafka_topic": "t", "kafka_group_id": ""}, "kafka_group_id"},
		{map[string]any{"kafka_topic": "t", "kafka_max_poll_records": 0}, "kafka_max_poll_records"},
		{map[string]any{"kafka_topic": "t", "kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"},
		{map[string]any{"kafka_topic": "t", "kafka_username": "u"}, "kafka_sasl_mechanism"},
		{map[string]any{"kafka_topic": "t", "ssl_ca_certificate": "/nonexistent.pem"}, "ssl_ca_certificate"},
	} {
		p, err := Spec.Validate(tc.raw)
		if err == nil {
			_, err = New(p)
		}
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%v: err %v, want one naming %s", tc.raw, err, tc.param)
		}
	}
	p, _ := Spec.Validate(map[string]any{"kafka_topic": "t", "feed_accuracy": 200})
	if _, err := New(p); err == nil || !strings.Contains(fmt.Sprint(err), "accuracy") {
		t.Errorf("accuracy 200: %v", err)
	}
}
