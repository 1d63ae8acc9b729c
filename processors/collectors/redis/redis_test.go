package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

const server = "127.0.0.1:6379"

// redisDB connects to database 15 of the test machine's Redis and returns
// a unique queue name; the test's keys are deleted at the end. Without a
// server the test is skipped, unless CI=true.
func redisDB(t *testing.T) (*goredis.Client, string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", server, 2*time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is not reachable on %s: %v", server, err)
		}
		t.Skipf("Redis is not reachable on %s: %v", server, err)
	} else {
		c.Close()
	}
	cl := goredis.NewClient(&goredis.Options{Addr: server, DB: 15})
	t.Cleanup(func() { cl.Close() })
	prefix := fmt.Sprintf("intelstream-test:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		keys, _ := cl.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			cl.Del(context.Background(), keys...)
		}
	})
	return cl, prefix + "queue"
}

func newCollector(t *testing.T, queue string, extra map[string]any) *Collector {
	t.Helper()
	raw := map[string]any{"redis_queue": queue, "redis_db": 15, "feed_name": "Redis feed", "reconnect_delay": "10ms"}
	for k, v := range extra {
		raw[k] = v
	}
	p, err := Spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	c.wait = 50 * time.Millisecond
	c.SetLogger(slog.New(slog.DiscardHandler))
	return c
}

// collect runs c until it emitted n reports, lets the batch be flushed,
// stops it and returns the raw values.
func collect(t *testing.T, c *Collector, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	err := c.Run(ctx, func(r *dho.Report) error {
		if r.Feed.Name != "Redis feed" || r.Time.Observation == nil {
			t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
		}
		got = append(got, string(r.Raw))
		if len(got) == n {
			go func() { time.Sleep(200 * time.Millisecond); cancel() }()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return got
}

func llen(t *testing.T, cl *goredis.Client, key string) int64 {
	t.Helper()
	n, err := cl.LLen(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestItemsInOrderAndRemovedAfterFlush(t *testing.T) {
	cl, queue := redisDB(t)
	ctx := context.Background()
	// IntelMQ's Redis output pushes on the left.
	cl.LPush(ctx, queue, "a", "b", "", "c", "d", "e")
	c := newCollector(t, queue, map[string]any{"batch_size": 2})
	if got := collect(t, c, 5); !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("got %q", got)
	}
	if n, m := llen(t, cl, queue), llen(t, cl, c.progress); n != 0 || m != 0 {
		t.Errorf("queue %d, in progress %d items; want none", n, m)
	}
}

func TestStopBeforeFlushRedelivers(t *testing.T) {
	cl, queue := redisDB(t)
	bg := context.Background()
	cl.LPush(bg, queue, "a", "b", "c")
	c := newCollector(t, queue, nil)

	// The node stops right after "a" was emitted, before Flush.
	ctx, cancel := context.WithCancel(bg)
	if err := c.Run(ctx, func(*dho.Report) error { cancel(); return nil }); err != nil {
		t.Fatal(err)
	}
	if m := llen(t, cl, c.progress); m == 0 {
		t.Fatal("the emitted, unflushed items left the in-progress list")
	}
	// Emit fails (the node dies): the item stays in progress too.
	crash := errors.New("node dies")
	if err := newCollector(t, queue, nil).Run(bg, func(*dho.Report) error { return crash }); !errors.Is(err, crash) {
		t.Fatalf("Run: %v", err)
	}
	// The next start puts the leftovers back in order: nothing lost.
	if got := collect(t, newCollector(t, queue, nil), 3); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("after the restart: %q", got)
	}
	if n, m := llen(t, cl, queue), llen(t, cl, c.progress); n != 0 || m != 0 {
		t.Errorf("queue %d, in progress %d items; want none", n, m)
	}
}

func TestUnreachableServerRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	c := newCollector(t, "q", map[string]any{"redis_server_port": port, "redis_timeout": 200})
	logs := &syncbuf.Buffer{}
	c.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Run(ctx, func(*dho.Report) error { return errors.New("no report expected") }); err != nil {
		t.Fatal(err)
	}
	if l := logs.String(); strings.Count(l, "Redis failed, retrying") < 2 {
		t.Errorf("logs:\n%s", l)
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{}, "redis_queue"},
		{map[string]any{"redis_queue": ""}, "redis_queue"},
		{map[string]any{"redis_queue": "q", "redis_inprogress_queue": "q"}, "redis_inprogress_queue"},
		{map[string]any{"redis_queue": "q", "redis_server_port": 0}, "redis_server_port"},
		{map[string]any{"redis_queue": "q", "redis_server_ip": ""}, "redis_server_ip"},
		{map[string]any{"redis_queue": "q", "redis_db": -1}, "redis_db"},
		{map[string]any{"redis_queue": "q", "redis_timeout": 0}, "redis_timeout"},
		{map[string]any{"redis_queue": "q", "batch_size": 0}, "batch_size"},
		{map[string]any{"redis_queue": "q", "redis_ssl": "maybe"}, "redis_ssl"},
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
}
