// Command quickstart runs the quickstart topology on an embedded Kafka
// broker and schema registry: bundled Shadowserver-style reports are
// parsed, classified and printed as IntelMQ flat JSON lines. It stops once
// the sample has gone through (or on Ctrl-C).
//
//	go run ./examples/quickstart                 # events on stdout
//	go run ./examples/quickstart -format dho     # DHO 2.0's flat form
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/quickstart/quickstart"
	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

func main() {
	output := flag.String("output", "-", "file to append events to, - for stdout")
	format := flag.String("format", "intelmq", "intelmq or dho")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events")
	flag.Parse()
	if err := run(*output, *format, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(output, format string, idle time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t, err := quickstart.Build(map[string]string{"output": output, "format": format})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := runner.Connect(ctx, runner.Config{Logger: log})
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quiet := newQuiet(idle, cancel)
	go quiet.watch(ctx)
	opts := append(env.RunOptions(), topology.WithLogger(log), topology.WithHooks(quiet))
	return t.Run(ctx, opts...)
}

// quiet cancels the run once the output committed something and then
// nothing happened for a while.
type quiet struct {
	idle   time.Duration
	cancel func()
	events chan struct{}
}

func newQuiet(idle time.Duration, cancel func()) *quiet {
	return &quiet{idle: idle, cancel: cancel, events: make(chan struct{}, 1)}
}

func (q *quiet) poke() {
	select {
	case q.events <- struct{}{}:
	default:
	}
}

func (q *quiet) OnCommitted(string, int)                    { q.poke() }
func (q *quiet) OnRecordProduced(string, *transport.Record) { q.poke() }

func (q *quiet) watch(ctx context.Context) {
	select {
	case <-q.events:
	case <-ctx.Done():
		return
	}
	for {
		select {
		case <-q.events:
		case <-time.After(q.idle):
			q.cancel()
			return
		case <-ctx.Done():
			return
		}
	}
}
