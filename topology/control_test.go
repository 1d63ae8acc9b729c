package topology_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// tagKind is a registered expert kind for the control tests: it writes its
// tag parameter (runtime-settable) and its prefix parameter (not) into
// each event's comment.
const tagKind = "control-test-tag"

type tagger struct {
	mu     sync.Mutex
	tag    string
	prefix string
}

func (x *tagger) Process(_ context.Context, in *dho.Event, emit func(*dho.Event)) error {
	x.mu.Lock()
	comment := x.prefix + x.tag
	x.mu.Unlock()
	out := *in
	if err := out.Set("comment", comment); err != nil {
		return err
	}
	emit(&out)
	return nil
}

func (x *tagger) SetParams(p topology.Params) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.tag = p.String("tag")
	return nil
}

func init() {
	topology.Register(topology.Spec{
		Name: tagKind, Kind: topology.KindExpert, Doc: "Writes prefix+tag into comment (test kind).",
		Params: []topology.Param{
			{Name: "tag", Type: topology.ParamString, Default: "a", Runtime: true, Doc: "the tag"},
			{Name: "prefix", Type: topology.ParamString, Default: "", Doc: "put before the tag"},
			{Name: "limit", Type: topology.ParamInt, Default: 10, Doc: "unused; an int to get wrong"},
		},
	}, func(p topology.Params) (any, error) {
		if p.String("prefix") == "bad:" {
			return nil, errors.New("prefix bad: refused by the factory")
		}
		return &tagger{tag: p.String("tag"), prefix: p.String("prefix")}, nil
	})
}

// feeder is a collector that emits the events sent on its channel.
type feeder chan *dho.Event

func (f feeder) Run(ctx context.Context, emit func(*dho.Event) error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-f:
			if err := emit(e); err != nil {
				return err
			}
		}
	}
}

func (f feeder) send(t *testing.T, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		e := &dho.Event{}
		if err := e.Set("source.ip", fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)); err != nil {
			t.Fatal(err)
		}
		f <- e
	}
}

// comments counts the output's events by comment.
func (m *memOutput) comments() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for _, e := range m.events {
		out[e.Comment]++
	}
	return out
}

func (m *memOutput) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.events)
}

func TestControllerPauseResumeAndParams(t *testing.T) {
	e := newEnv(t)
	feed := make(feeder)
	out := &memOutput{}
	top := topology.New("ctl")
	events := topology.Source(top, "feed", topology.Collector[dho.Event](feed))
	tagged := topology.MapKind[dho.Event, dho.Event](top, "tag", events, tagKind, map[string]any{"tag": "a"})
	topology.Sink(top, "out", tagged, out)

	ctl := topology.NewController()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(e.tr), topology.WithRegistry(e.reg), topology.WithController(ctl),
			topology.WithLagInterval(100*time.Millisecond))
	}()
	waitFor(t, "ready", ctl.Ready)

	feed.send(t, 0, 20)
	waitFor(t, "20 events", func() bool { return out.count() == 20 })

	// Paused, the node leaves its input in the broker.
	if err := ctl.Pause("tag"); err != nil {
		t.Fatal(err)
	}
	if st, _ := ctl.Status("tag"); st.State != topology.StatePaused {
		t.Fatalf("state after Pause: %s", st.State)
	}
	feed.send(t, 20, 30)
	waitFor(t, "30 more in the broker", func() bool { st, _ := ctl.Status("feed"); return st.Produced == 50 })
	time.Sleep(300 * time.Millisecond) // the node would have taken them by now
	if st, _ := ctl.Status("tag"); st.Committed != 20 || st.Received != 20 {
		t.Fatalf("a paused node took records: %+v", st)
	}
	if n := out.count(); n != 20 {
		t.Fatalf("%d events passed a paused node", n)
	}
	if err := ctl.Resume("tag"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "50 events after Resume", func() bool { return out.count() == 50 })

	// A runtime parameter goes to the running processor.
	change, err := ctl.SetParams(ctx, "tag", map[string]any{"tag": "b"})
	if err != nil || change != topology.ParamsApplied {
		t.Fatalf("SetParams(tag): %s, %v", change, err)
	}
	feed.send(t, 50, 10)
	waitFor(t, "10 tagged b", func() bool { return out.comments()["b"] == 10 })

	// Another parameter rebuilds and restarts the node; records sent
	// meanwhile are not lost.
	feed.send(t, 60, 10)
	change, err = ctl.SetParams(ctx, "tag", map[string]any{"prefix": "x-"})
	if err != nil || change != topology.ParamsRestarted {
		t.Fatalf("SetParams(prefix): %s, %v", change, err)
	}
	feed.send(t, 70, 10)
	waitFor(t, "80 distinct events", func() bool { return out.distinct() == 80 })
	if c := out.comments(); c["x-b"] == 0 {
		t.Fatalf("comments after the restart: %v", c)
	}
	if st, _ := ctl.Status("tag"); st.Restarts != 1 || st.State != topology.StateRunning {
		t.Fatalf("status after the restart: %+v", st)
	}

	// Bad values change nothing and name the parameter.
	for _, bad := range []map[string]any{{"limit": "many"}, {"nope": 1}, {"prefix": "bad:"}} {
		_, err := ctl.SetParams(ctx, "tag", bad)
		var pe *topology.ParamError
		if err == nil || (!errors.As(err, &pe) && !errors.Is(err, topology.ErrBadParams)) {
			t.Errorf("SetParams(%v): %v", bad, err)
		}
	}
	_, p, err := ctl.ParamsOf("tag")
	if err != nil || p.String("prefix") != "x-" || p.Int("limit") != 10 || p.String("tag") != "b" {
		t.Fatalf("params after bad changes: %v, %v", p, err)
	}
	if _, _, err := ctl.ParamsOf("feed"); !errors.Is(err, topology.ErrNoParams) {
		t.Errorf("ParamsOf(feed): %v", err)
	}
	if _, err := ctl.Status("nope"); !errors.Is(err, topology.ErrUnknownNode) {
		t.Errorf("Status(nope): %v", err)
	}

	// Stop leaves the input in the broker; Start drains it.
	if err := ctl.Stop(ctx, "out"); err != nil {
		t.Fatal(err)
	}
	feed.send(t, 80, 10)
	waitFor(t, "10 more through tag", func() bool { st, _ := ctl.Status("tag"); return st.Committed >= 90 })
	if st, _ := ctl.Status("out"); st.State != topology.StateStopped {
		t.Fatalf("state after Stop: %s", st.State)
	}
	if n := out.distinct(); n != 80 {
		t.Fatalf("%d events passed a stopped node", n)
	}
	if err := ctl.Start("out"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "90 after Start", func() bool { return out.distinct() == 90 })
	if err := ctl.Restart(ctx, "feed"); err != nil {
		t.Fatal(err)
	}
	if err := ctl.Reload(ctx, "tag"); err != nil {
		t.Fatal(err)
	}
	feed.send(t, 90, 10)
	waitFor(t, "100 after restart and reload", func() bool { return out.distinct() == 100 })
	if _, n, err := ctl.DeadLetterCount(ctx, "tag"); err != nil || n != 0 {
		t.Errorf("DeadLetterCount: %d, %v", n, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestKindNodesRefuseBadKindsAndParams(t *testing.T) {
	for _, tc := range []struct {
		name, kind string
		params     map[string]any
		want       string
	}{
		{"unknown kind", "no-such-kind", nil, `no node kind "no-such-kind"`},
		{"bad type", tagKind, map[string]any{"limit": "x"}, "parameter limit"},
		{"factory", tagKind, map[string]any{"prefix": "bad:"}, "refused by the factory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := topology.New("kinds")
			events := topology.Source(top, "feed", topology.Collector[dho.Event](make(feeder)))
			tagged := topology.MapKind[dho.Event, dho.Event](top, "tag", events, tc.kind, tc.params)
			topology.Sink(top, "out", tagged, &memOutput{})
			err := top.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}
