package topology_test

import (
	"context"
	"encoding/binary"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
)

// TestKcatReadsWhatWeWrite has an independent Kafka client (kcat, on
// librdkafka) read a topology's output topic: every record must be in the
// Confluent wire format with the schema id the registry gave the topic's
// subject, and decode to a DHO event.
func TestKcatReadsWhatWeWrite(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat is not installed (.ci/run installs it)")
		}
		t.Skip("kcat is not installed")
	}
	e := newEnv(t)
	const n = 100
	out := &memOutput{}
	top := topology.New("kcat")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(n)), topology.Processor[dho.Report, dho.Event](lineParser))
	topology.Sink(top, "out", events, out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "the events", func() bool { return out.distinct() == n })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// %R is the payload length as 4 bytes, big endian: binary-safe framing.
	kctx, kcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer kcancel()
	raw, err := exec.CommandContext(kctx, kcat, "-C", "-b", strings.Join(e.brokers, ","), "-t", "kcat.parse",
		"-o", "beginning", "-e", "-q", "-f", "%R%s").Output()
	if err != nil {
		t.Fatalf("kcat: %v", err)
	}
	subject, _ := schemas.TopicName.Subject("kcat.parse", schemas.EventRecord)
	ctx = context.Background()
	latest, err := e.reg.Get(ctx, subject, -1)
	if err != nil {
		t.Fatal(err)
	}
	serde := schemas.NewSerde(e.reg, schemas.TopicName)
	count := 0
	for len(raw) > 0 {
		if len(raw) < 4 {
			t.Fatalf("truncated kcat output")
		}
		size := int(binary.BigEndian.Uint32(raw))
		msg := raw[4 : 4+size]
		raw = raw[4+size:]
		if msg[0] != 0 {
			t.Fatalf("magic byte %d", msg[0])
		}
		if id := int(binary.BigEndian.Uint32(msg[1:5])); id != latest.ID {
			t.Fatalf("schema id %d, the registry has %d for %s", id, latest.ID, subject)
		}
		var ev dho.Event
		if err := serde.DecodeEvent(ctx, msg, &ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Source.IP) != 1 || ev.ID == "" {
			t.Fatalf("event %s", ev.MarshalFlat(dho.FlatOptions{}))
		}
		count++
	}
	if count != n {
		t.Fatalf("kcat read %d records, want %d", count, n)
	}
}
