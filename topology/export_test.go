package topology_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

// seenFilter drops events whose source IP it saw before (a deduplicator
// in small) and counts the events it was given.
type seenFilter struct {
	seen  *topology.Table[string, bool]
	calls atomic.Int64
}

func newSeenFilter() *seenFilter {
	return &seenFilter{seen: topology.NewTable("seen", topology.StringCodec{}, topology.JSONCodec[bool]{})}
}

func (d *seenFilter) Tables() []topology.TableRef { return []topology.TableRef{d.seen} }

func (d *seenFilter) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	d.calls.Add(1)
	ip := e.Source.IP[0]
	if _, ok, err := d.seen.Get(ctx, ip); err != nil || ok {
		return err
	}
	if err := d.seen.Set(ctx, ip, true); err != nil {
		return err
	}
	emit(e)
	return nil
}

// ipRange emits one event per source IP from..to-1.
func ipRange(from, to int) topology.Collector[dho.Event] {
	return topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
		for i := from; i < to; i++ {
			e := &dho.Event{}
			if err := e.Set("source.ip", fmt.Sprintf("10.2.%d.%d", i/250, i%250+1)); err != nil {
				return err
			}
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	})
}

func moveTopology(src topology.Collector[dho.Event], d *seenFilter, out *memOutput) *topology.Topology {
	top := topology.New("move")
	events := topology.Source(top, "collect", src)
	kept := topology.Map(top, "dedup", events, topology.Processor[dho.Event, dho.Event](d))
	topology.Sink(top, "out", kept, out)
	return top
}

// mirror copies topic from cluster a to cluster b partition by partition
// (same offsets on a fresh topic), as a replication tool would.
func mirror(t *testing.T, a, b *env, topic string) {
	t.Helper()
	ctx := context.Background()
	parts, err := a.tr.PartitionCount(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.tr.CreateTopics(ctx, transport.TopicSpec{Name: topic, Partitions: parts, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	prod, err := b.tr.NewProducer(transport.ProducerOptions{ID: "mirror"})
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	for p := range parts {
		if _, err := a.tr.ReadPartition(ctx, topic, p, 0, func(r *transport.Record) error {
			prod.Produce(ctx, &transport.Record{Topic: topic, Partition: p, ManualPartition: true, Key: bytes.Clone(r.Key), Value: bytes.Clone(r.Value), Headers: r.Headers}, nil)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := prod.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestExportImportState runs a deduplicating node on cluster A, exports
// its state, imports it into cluster B (where the input topic was
// mirrored) and runs the node there: it knows the IPs A saw (repeats are
// dropped) and starts after what A committed (nothing is processed
// twice).
func TestExportImportState(t *testing.T) {
	a := newEnv(t)
	const n, more = 200, 50
	outA := &memOutput{}
	dA := newSeenFilter()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// Every IP twice: the second round is dropped.
		done <- moveTopology(topology.CollectorFunc[dho.Event](func(ctx context.Context, emit func(*dho.Event) error) error {
			if err := ipRange(0, n).Run(ctx, emit); err != nil {
				return err
			}
			return ipRange(0, n).Run(ctx, emit)
		}), dA, outA).Run(ctx, topology.WithTransport(a.tr), topology.WithRegistry(a.reg), topology.WithMemoryState())
	}()
	waitFor(t, "A processed everything", func() bool { return dA.calls.Load() >= 2*n && outA.distinct() >= n })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := outA.distinct(); got != n || len(outA.events) != n {
		t.Fatalf("A: %d events, %d IPs; want %d", len(outA.events), got, n)
	}

	var file bytes.Buffer
	if err := topology.ExportState(context.Background(), a.tr, moveTopology(ipRange(0, 0), newSeenFilter(), outA), "dedup", &file); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(file.String()), "\n")
	var h topology.StateHeader
	if err := json.Unmarshal([]byte(lines[0]), &h); err != nil {
		t.Fatal(err)
	}
	if h.Format != topology.StateFormat || h.Topology != "move" || h.Node != "dedup" || len(h.Tables) != 1 || h.Tables[0].Name != "seen" || h.Tables[0].Partitions != 3 {
		t.Fatalf("header %+v", h)
	}
	var entries int
	var committed int64
	for _, l := range lines[1:] {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		switch {
		case m["table"] != nil:
			entries++
		case m["topic"] != nil:
			if m["topic"] != "move.collect" {
				t.Fatalf("offset line %s", l)
			}
			committed += int64(m["offset"].(float64))
		default:
			t.Fatalf("line %s", l)
		}
	}
	if entries != n || committed != 2*n {
		t.Fatalf("%d entries (want %d), offsets sum to %d (want %d)", entries, n, committed, 2*n)
	}

	// Cluster B (same schema registry): the input is mirrored, the state
	// imported.
	b := newEnv(t)
	b.reg = a.reg
	mirror(t, a, b, "move.collect")
	if err := topology.ImportState(context.Background(), b.tr, moveTopology(ipRange(0, 0), newSeenFilter(), outA), "dedup", bytes.NewReader(file.Bytes())); err != nil {
		t.Fatal(err)
	}
	var dump int
	if err := moveTopology(ipRange(0, 0), newSeenFilter(), outA).DumpState(context.Background(), b.tr, "dedup", func(topology.StateEntry) error { dump++; return nil }); err != nil {
		t.Fatal(err)
	}
	if dump != n {
		t.Fatalf("B holds %d entries, want %d", dump, n)
	}
	// Importing again changes nothing (and B's group is still empty).
	if err := topology.ImportState(context.Background(), b.tr, moveTopology(ipRange(0, 0), newSeenFilter(), outA), "dedup", bytes.NewReader(file.Bytes())); err != nil {
		t.Fatal(err)
	}

	outB := &memOutput{}
	dB := newSeenFilter()
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Known IPs again, then new ones.
		done <- moveTopology(ipRange(0, n+more), dB, outB).Run(ctx, topology.WithTransport(b.tr), topology.WithRegistry(b.reg), topology.WithMemoryState())
	}()
	waitFor(t, "B processed the new records", func() bool { return dB.calls.Load() >= n+more && outB.distinct() >= more })

	// Bad imports while B runs: the group has members.
	err := topology.ImportState(context.Background(), b.tr, moveTopology(ipRange(0, 0), newSeenFilter(), outA), "dedup", bytes.NewReader(file.Bytes()))
	if !errors.Is(err, transport.ErrGroupActive) {
		t.Errorf("import while the node runs: %v, want ErrGroupActive", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := dB.calls.Load(); got != n+more {
		t.Errorf("B processed %d records, want %d (the %d mirrored ones were committed on A)", got, n+more, 2*n)
	}
	outB.mu.Lock()
	defer outB.mu.Unlock()
	if len(outB.events) != more {
		t.Fatalf("B emitted %d events, want the %d new IPs", len(outB.events), more)
	}
	for ip := range outB.ips {
		var x, y int
		fmt.Sscanf(ip, "10.2.%d.%d", &x, &y)
		if i := x*250 + y - 1; i < n {
			t.Errorf("B emitted %s, which A had seen", ip)
		}
	}
}

func TestImportStateRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	top := func() *topology.Topology { return moveTopology(ipRange(0, 0), newSeenFilter(), &memOutput{}) }
	header := func(mod func(*topology.StateHeader)) string {
		h := topology.StateHeader{Format: topology.StateFormat, Version: topology.StateFormatVersion, Topology: "move", Node: "dedup", Group: "move.dedup",
			Tables: []topology.StateTableShape{{Name: "seen", Partitions: 3}}}
		if mod != nil {
			mod(&h)
		}
		b, _ := json.Marshal(h)
		return string(b) + "\n"
	}
	entry := `{"table":"seen","partition":0,"key":"MTAuMC4wLjE=","value":"dHJ1ZQ=="}` + "\n"
	for _, tc := range []struct {
		name, node, input, want string
	}{
		{"empty", "dedup", "", "no header"},
		{"garbage", "dedup", "not json\n", "line 1"},
		{"no header", "dedup", entry, "not a state header"},
		{"version", "dedup", header(func(h *topology.StateHeader) { h.Version = 99 }), "format version 99"},
		{"other node", "dedup", header(func(h *topology.StateHeader) { h.Node = "count" }), "node count of topology move"},
		{"other topology", "dedup", header(func(h *topology.StateHeader) { h.Topology = "tables" }), "topology tables"},
		{"other tables", "dedup", header(func(h *topology.StateHeader) { h.Tables[0].Name = "counts" }), "tables [counts]"},
		{"garbage line", "dedup", header(nil) + entry + "{\"table\":\"seen\",\n", "line 3"},
		{"unknown field", "dedup", header(nil) + `{"table":"seen","partition":0,"key":"","value":"","extra":1}` + "\n", "unknown field"},
		{"no value", "dedup", header(nil) + `{"table":"seen","partition":0,"key":"eA=="}` + "\n", "neither a table entry"},
		{"partition", "dedup", header(nil) + `{"table":"seen","partition":7,"key":"eA==","value":"dHJ1ZQ=="}` + "\n", "partition 7"},
		{"foreign offset", "dedup", header(nil) + `{"topic":"elsewhere","partition":0,"offset":3}` + "\n", "does not read"},
		{"node without tables", "out", header(nil), "keeps no tables"},
		{"unknown node", "nope", header(nil), "no node"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := topology.ImportState(context.Background(), e.tr, top(), tc.node, strings.NewReader(tc.input))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
	// Nothing was written.
	if n, err := e.tr.PartitionCount(context.Background(), "move.dedup.seen.changelog"); err == nil && n > 0 {
		var entries int
		_ = top().DumpState(context.Background(), e.tr, "dedup", func(topology.StateEntry) error { entries++; return nil })
		if entries > 0 {
			t.Fatalf("a refused import wrote %d entries", entries)
		}
	}
}
