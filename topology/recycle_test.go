package topology_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// recyclingParser is lineParser with a pool: it records the events it
// emitted, and Recycle spoils each one it gets back, so that an event the
// runtime used after handing it back would reach the output spoilt.
type recyclingParser struct {
	mu       sync.Mutex
	emitted  map[*dho.Event]bool
	recycled int
	foreign  int // events handed back that it never emitted
}

func (p *recyclingParser) Process(ctx context.Context, r *dho.Report, emit func(*dho.Event)) error {
	return lineParser(ctx, r, func(e *dho.Event) {
		p.mu.Lock()
		p.emitted[e] = true
		p.mu.Unlock()
		emit(e)
	})
}

func (p *recyclingParser) Recycle(e *dho.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.emitted[e] {
		p.foreign++
		return
	}
	delete(p.emitted, e)
	p.recycled++
	e.Source.IP = []string{"0.0.0.0"}
}

func (p *recyclingParser) counts() (recycled, pending, foreign int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.recycled, len(p.emitted), p.foreign
}

// passThrough emits its input, which a Recycler must not: the runtime
// never hands the input back.
type passThrough struct{ recyclingParser }

func (p *passThrough) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	emit(e)
	return nil
}

// TestRecyclerGetsItsOutputsBackOnceEncoded runs a recycling parser and a
// pass-through expert that breaks the rule: every event arrives intact,
// the parser gets each of its events back once, and the expert never gets
// the runtime's input value.
func TestRecyclerGetsItsOutputsBackOnceEncoded(t *testing.T) {
	const n = 500
	e := newEnv(t)
	out := &memOutput{}
	parser := &recyclingParser{emitted: map[*dho.Event]bool{}}
	pass := &passThrough{recyclingParser{emitted: map[*dho.Event]bool{}}}
	top := topology.New("recycle")
	events := topology.Map(top, "parse", topology.Source(top, "collect", lines(n)), topology.Processor[dho.Report, dho.Event](parser))
	topology.Sink(top, "out", topology.Map(top, "pass", events, topology.Processor[dho.Event, dho.Event](pass)), out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	waitFor(t, "500 events", func() bool { return out.distinct() == n })
	waitFor(t, "the parser's events back", func() bool { r, _, _ := parser.counts(); return r == n })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.ips["0.0.0.0"] != 0 || len(out.events) != n {
		t.Errorf("%d events, %d spoilt: the runtime used an event after recycling it", len(out.events), out.ips["0.0.0.0"])
	}
	if r, pending, foreign := parser.counts(); r != n || pending != 0 || foreign != 0 {
		t.Errorf("parser: %d recycled, %d not, %d foreign", r, pending, foreign)
	}
	if r, _, foreign := pass.counts(); r != 0 || foreign != 0 {
		t.Errorf("pass-through got %d of its own and %d foreign events back; its outputs are its input", r, foreign)
	}
}
