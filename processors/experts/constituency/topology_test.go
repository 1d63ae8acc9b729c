package constituency_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/kafkatest"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/maxmind"
	"github.com/intelstream/intelstream/processors/experts/maxmind/maxmindtest"
	"github.com/intelstream/intelstream/topology"
)

type collected struct {
	mu     sync.Mutex
	events []*dho.Event
}

func (c *collected) Write(_ context.Context, batch []*dho.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range batch {
		c.events = append(c.events, e.Clone())
	}
	return nil
}

func (c *collected) len() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.events) }

// TestTopology runs the constituency and GeoIP experts as nodes of a
// topology on the in-process Kafka broker: what they set survives the
// Avro encoding between nodes (extra values, tags, geolocation).
func TestTopology(t *testing.T) {
	k := kafkatest.New(t)
	tr, reg := k.Tr, k.Reg

	db, err := maxmindtest.CityDB(time.Now(), maxmindtest.City{Network: "192.0.2.0/24", CC: "AT", City: "Vienna", Lat: new(48.2), Lon: new(16.37)})
	if err != nil {
		t.Fatal(err)
	}
	mmdb := filepath.Join(t.TempDir(), "city.mmdb")
	os.WriteFile(mmdb, db, 0o644)

	const n = 300
	source := topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
		for i := range n {
			e := &dho.Event{}
			ip := fmt.Sprintf("192.0.2.%d", i%250+1)
			if i%3 == 0 {
				ip = fmt.Sprintf("203.0.113.%d", i%250+1) // no member
			}
			if err := e.Set("source.ip", ip); err != nil {
				return err
			}
			e.Extra = dho.Extra{"n": dho.Int(int64(i))}
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	})
	top := topology.New("constituency-e2e")
	events := topology.Source(top, "events", topology.Collector[dho.Event](source), topology.Produces("source.ip"))
	members := topology.Map(top, "constituency", events,
		experttest.New(t, "constituency", map[string]any{"files": "testdata/members.csv"}))
	located := topology.Map(top, "geoip", members,
		experttest.New(t, maxmind.GeoIPName, map[string]any{"database": mmdb}))
	out := &collected{}
	topology.Sink(top, "out", located, out)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- top.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.WithLogger(slog.New(slog.DiscardHandler)))
	}()
	deadline := time.Now().Add(60 * time.Second)
	for out.len() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events arrived", out.len(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	members2, others := 0, 0
	for _, e := range out.events {
		if e.Source.IP[0][:4] == "203." {
			others++
			if _, ok := e.Extra["organisation"]; ok || e.Source.Geolocation.CC != "" {
				t.Errorf("non-member enriched: %s", e.MarshalFlat(dho.FlatOptions{}))
			}
			continue
		}
		members2++
		org := e.Extra["organisation"].Text()
		if (org != "Example Energy AG" && org != "Example Energy Grid") || len(e.Tags) == 0 || e.Tags[0] != "critical" ||
			e.Source.Geolocation.CC != "AT" || e.Source.Geolocation.City != "Vienna" {
			t.Fatalf("member event: %s", e.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO}))
		}
	}
	if members2+others != n || others != n/3 {
		t.Errorf("%d members, %d others", members2, others)
	}
}
