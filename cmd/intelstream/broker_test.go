package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"
)

func TestBrokerCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()

	cmd := newBrokerCmd()
	var out syncbuf.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"--listen", "127.0.0.1:0", "--registry-listen", "127.0.0.1:0", "--partitions", "2"})
	errc := make(chan error, 1)
	go func() { errc <- cmd.ExecuteContext(runCtx) }()

	// The command prints both addresses once it is serving.
	var broker, registry string
	for broker == "" || registry == "" {
		select {
		case err := <-errc:
			t.Fatalf("broker ended early: %v\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("no addresses printed:\n%s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if a, ok := strings.CutPrefix(line, "kafka: "); ok {
				broker = a
			}
			if a, ok := strings.CutPrefix(line, "registry: "); ok {
				registry = a
			}
		}
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "auto", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	topics, err := kadm.NewClient(cl).ListTopics(ctx, "auto")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(topics["auto"].Partitions); n != 2 {
		t.Errorf("auto-created topic has %d partitions, want --partitions 2", n)
	}

	rc, err := sr.NewClient(sr.URLs(registry))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateSchema(ctx, "auto-value", sr.Schema{Schema: `"string"`}); err != nil {
		t.Fatal(err)
	}
	if subjects, err := rc.Subjects(ctx); err != nil || len(subjects) != 1 || subjects[0] != "auto-value" {
		t.Fatalf("Subjects = %v, %v", subjects, err)
	}

	stop() // as SIGINT would
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("broker did not stop")
	}
}
