// Command idea-export runs the IDEA export topology on an embedded Kafka
// broker and schema registry: a bundled n6 report is parsed into DHO
// events, classified and written as IDEA0 messages, one JSON line each.
// It stops once the sample has gone through (or on Ctrl-C).
//
//	go run ./examples/idea-export                   # IDEA on stdout
//	go run ./examples/idea-export -output idea.jsonl
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/idea-export/ideaexport"
	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

func main() {
	output := flag.String("output", "-", "file to append IDEA messages to, - for stdout")
	strict := flag.Bool("strict", false, "dead-letter events that would lose a value in IDEA")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events")
	flag.Parse()
	if err := run(*output, *strict, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "idea-export:", err)
		os.Exit(1)
	}
}

func run(output string, strict bool, idle time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t, err := ideaexport.Build(map[string]string{"output": output, "strict": strconv.FormatBool(strict)})
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
	s := &stopWhenIdle{idle: idle, cancel: cancel}
	defer s.stop()
	opts := append(env.RunOptions(), topology.WithLogger(log), topology.WithHooks(s))
	return t.Run(ctx, opts...)
}

// stopWhenIdle cancels the run once records flowed and then nothing was
// produced or committed for idle.
type stopWhenIdle struct {
	idle   time.Duration
	cancel func()
	mu     sync.Mutex
	timer  *time.Timer
}

func (s *stopWhenIdle) activity() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer == nil {
		s.timer = time.AfterFunc(s.idle, s.cancel)
		return
	}
	s.timer.Reset(s.idle)
}

func (s *stopWhenIdle) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
}

func (s *stopWhenIdle) OnCommitted(string, int)                    { s.activity() }
func (s *stopWhenIdle) OnRecordProduced(string, *transport.Record) { s.activity() }
