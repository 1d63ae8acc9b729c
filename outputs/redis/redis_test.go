package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

const server = "127.0.0.1:6379"

// redisDB gives the test a unique list in database 15 of the machine's
// Redis, deleted at the end.
func redisDB(t *testing.T) (*goredis.Client, string) {
	t.Helper()
	outtest.Service(t, "Redis", server)
	cl := goredis.NewClient(&goredis.Options{Addr: server, DB: 15})
	queue := fmt.Sprintf("intelstream-test:%s:%d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { cl.Del(context.Background(), queue); cl.Close() })
	return cl, queue
}

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"redis_db": 15}, raw)
	o := outtest.New(t, Spec, New, base)
	return o
}

func TestIntelMQForms(t *testing.T) {
	cl, queue := redisDB(t)
	events := outtest.Events(t, 2)
	for _, tc := range []struct {
		raw  map[string]any
		want func(e *dho.Event) string
	}{
		{map[string]any{}, func(e *dho.Event) string { return string(e.MarshalFlat(dho.FlatOptions{})) }},
		{map[string]any{"with_type": false}, func(e *dho.Event) string { return string(e.MarshalFlat(dho.FlatOptions{OmitType: true})) }},
	} {
		tc.raw["redis_queue"] = queue
		o := newOutput(t, tc.raw)
		if err := o.Write(context.Background(), events); err != nil {
			t.Fatal(err)
		}
		for _, e := range events { // oldest at the right end
			got, err := cl.RPop(context.Background(), queue).Result()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want(e) {
				t.Errorf("%v:\n%s\nwant\n%s", tc.raw, got, tc.want(e))
			}
		}
	}
	o := newOutput(t, map[string]any{"redis_queue": queue, "hierarchical_output": true})
	if err := o.Write(context.Background(), events[:1]); err != nil {
		t.Fatal(err)
	}
	got, _ := cl.RPop(context.Background(), queue).Result()
	var doc struct {
		Type   string `json:"__type"`
		Source struct{ ASN int }
	}
	if err := json.Unmarshal([]byte(got), &doc); err != nil || doc.Type != "Event" || doc.Source.ASN != 64496 {
		t.Errorf("hierarchical: %s", got)
	}
	// The flat form is what dho.UnmarshalFlat (and IntelMQ) reads back.
	back, err := dho.ParseEvent(events[1].MarshalFlat(dho.FlatOptions{}))
	if err != nil || back.ID != events[1].ID {
		t.Fatalf("%v %v", back, err)
	}
}

func TestRefusals(t *testing.T) {
	cl, queue := redisDB(t)
	cl.Set(context.Background(), queue, "a string, not a list", 0)
	o := newOutput(t, map[string]any{"redis_queue": queue})
	err := o.Write(context.Background(), outtest.Events(t, 1))
	if err == nil || topology.IsTransient(err) {
		t.Errorf("WRONGTYPE: %v, want a permanent error", err)
	}
	o = newOutput(t, map[string]any{"redis_queue": queue, "redis_server_port": 1, "redis_timeout": 300})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); !topology.IsTransient(err) {
		t.Errorf("no server: %v, want transient", err)
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{}, Param: "redis_queue"},
		{Raw: map[string]any{"redis_queue": "q", "redis_server_port": 0}, Param: "redis_server_port"},
		{Raw: map[string]any{"redis_queue": "q", "redis_db": -1}, Param: "redis_db"},
		{Raw: map[string]any{"redis_queue": "q", "redis_timeout": 0}, Param: "redis_timeout"},
		{Raw: map[string]any{"redis_queue": "q", "redis_server_ip": "a b"}, Param: "redis_server_ip"},
	})
}

// Redis disappears (the proxy in front of it cuts every connection) and
// comes back: every event arrives. A list cannot deduplicate: a batch
// whose LPUSH was cut after Redis ran it comes again, so the test counts
// distinct events.
func TestFaultRedisGoesAway(t *testing.T) {
	cl, queue := redisDB(t)
	proxy := outtest.NewProxy(t, server)
	o := newOutput(t, map[string]any{"redis_queue": queue, "redis_server_port": proxy.Port(), "redis_timeout": 500})
	events := outtest.Events(t, 1000)
	distinct := func() int {
		items, err := cl.LRange(context.Background(), queue, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, it := range items {
			e, err := dho.ParseEvent([]byte(it))
			if err != nil {
				t.Fatal(err)
			}
			seen[e.ID] = true
		}
		return len(seen)
	}
	go func() {
		for i := 0; i < 3; i++ {
			for cl.LLen(context.Background(), queue).Val() < int64(200*(i+1)) {
				time.Sleep(time.Millisecond)
			}
			proxy.Cut()
			time.Sleep(150 * time.Millisecond)
			proxy.Restore()
		}
	}()
	outtest.Run(t, events, o, func() bool { return distinct() == len(events) }, 60*time.Second, topology.Batch(50, 5*time.Millisecond))
}
