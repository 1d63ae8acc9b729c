// Package exrun runs an example topology on the embedded broker and
// registry until its sample has gone through: the run stops once records
// flowed and then nothing was produced or committed for a while.
package exrun

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

// UntilIdle runs t on an embedded broker and registry (started here and
// stopped on return) until ctx ends, or until idle passed without a record
// produced or committed after the first one.
func UntilIdle(ctx context.Context, t *topology.Topology, idle time.Duration, log *slog.Logger, opts ...topology.RunOption) error {
	env, err := runner.Connect(ctx, runner.Config{Logger: log})
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &stopWhenIdle{idle: idle, cancel: cancel}
	defer s.stop()
	all := append(env.RunOptions(), topology.WithLogger(log), topology.WithHooks(s), topology.WithMemoryState())
	return t.Run(ctx, append(all, opts...)...)
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
