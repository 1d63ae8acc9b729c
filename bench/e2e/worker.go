package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/procstat"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/shadowserver"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport/kafka"
)

// Environment of a worker process (the benchmark starts itself with these).
const (
	envWorker     = "INTELSTREAM_E2E_WORKER" // "topology" or "hand"
	envBrokers    = "INTELSTREAM_E2E_BROKERS"
	envRegistry   = "INTELSTREAM_E2E_REGISTRY"
	envPartitions = "INTELSTREAM_E2E_PARTITIONS"
	envDir        = "INTELSTREAM_E2E_DIR"
	envProfile    = "INTELSTREAM_E2E_CPUPROFILE" // a file for the worker's CPU profile
	envNodes      = "INTELSTREAM_E2E_NODES"      // run only this node of the topology
)

// workerMain runs a worker process when the environment asks for one and
// reports whether it did. A worker runs until SIGTERM, then prints its peak
// RSS, CPU time and the size of its table stores ("USAGE ...") and exits.
func workerMain() bool {
	kind := os.Getenv(envWorker)
	if kind == "" {
		return false
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	brokers := strings.Split(os.Getenv(envBrokers), ",")
	partitions, _ := strconv.Atoi(os.Getenv(envPartitions))
	dir := os.Getenv(envDir)
	if path := os.Getenv(envProfile); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "worker: CPU profile:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	reg, err := schemas.NewRegistry([]string{os.Getenv(envRegistry)})
	if err == nil {
		switch kind {
		case "topology", "fused":
			_, nodes, _ := chainShape(kind)
			if only := os.Getenv(envNodes); only != "" {
				nodes = []string{only}
			}
			err = topologyWorker(ctx, kind, brokers, reg, int32(partitions), dir, nodes)
		case "hand":
			err = handWorker(ctx, brokers, reg, dir)
		default:
			err = fmt.Errorf("unknown worker kind %q", kind)
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "worker:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	fmt.Fprintf(os.Stdout, "USAGE rss-kib=%d cpu-s=%g state-bytes=%d\n", procstat.PeakRSSKiB(), procstat.CPUTime().Seconds(), dirSize(filepath.Join(dir, "state")))
	return true
}

// topologyWorker runs the topology's consuming nodes, as
// "intelstream run e2e" would in one process.
func topologyWorker(ctx context.Context, kind string, brokers []string, reg *schemas.Registry, partitions int32, dir string, nodes []string) error {
	tr, err := kafka.New(kafka.Brokers(brokers...), kafka.Partitions(partitions))
	if err != nil {
		return err
	}
	defer tr.Close()
	build := buildTopology
	if kind == "fused" {
		build = buildFused
	}
	t, err := build(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		return err
	}
	return t.Run(ctx, topology.WithTransport(tr), topology.WithRegistry(reg), topology.OnlyNodes(nodes...),
		topology.WithPartitions(partitions, 1), topology.WithStateDir(filepath.Join(dir, "state")),
		topology.WithLagInterval(0), topology.WithLogger(slog.New(slog.DiscardHandler)))
}

// handWorker is the same chain written by hand on franz-go, as a careful
// user writes at-least-once hops: poll up to 1000 records, process, produce,
// flush, commit. The deduplication keeps its hashes in a map and writes
// them to a compacted changelog topic, as the deduplicator's table does
// (two records per new hash); the output appends flat JSON lines and
// fsyncs every batch.
func handWorker(ctx context.Context, brokers []string, reg *schemas.Registry, dir string) error {
	serde := schemas.NewSerde(reg, schemas.TopicName)
	parser, err := shadowserver.New(shadowserver.Config{})
	if err != nil {
		return err
	}
	dp, err := dedupParams()
	if err != nil {
		return err
	}
	keys := append(dp.Strings("filter_keys"), "id")
	tax := taxonomy.New()
	f, err := os.OpenFile(filepath.Join(dir, "events.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	topic := func(node string) string { return handName + "." + node }
	ids := map[string]int{}
	for _, node := range []string{"parse", "taxonomy", "dedup"} {
		id, err := serde.Prepare(ctx, topic(node), schemas.EventRecord)
		if err != nil {
			return err
		}
		ids[node] = id
	}

	hops := []struct {
		node, from string
		each       func(cl *kgo.Client, r *kgo.Record, produce func(*kgo.Record)) error
		after      func() error
	}{
		{node: "parse", from: "collect", each: func(_ *kgo.Client, r *kgo.Record, produce func(*kgo.Record)) error {
			var rep dho.Report
			if err := serde.DecodeReport(ctx, r.Value, &rep); err != nil {
				return err
			}
			return parser.Parse(ctx, &rep, func(e *dho.Event) error {
				e.EnsureID()
				var key []byte
				if len(e.Source.IP) > 0 {
					key = []byte(e.Source.IP[0])
				}
				produce(&kgo.Record{Topic: topic("parse"), Key: key, Value: schemas.AppendEvent(nil, ids["parse"], e)})
				dho.ReleaseEvent(e) // as the parser node does once its events are encoded
				return nil
			}, func(f parsers.Failure) {})
		}},
		{node: "taxonomy", from: "parse", each: eventHop(ctx, serde, func(e *dho.Event, produce func(*kgo.Record), key []byte) error {
			return tax.Process(ctx, e, func(e *dho.Event) {
				produce(&kgo.Record{Topic: topic("taxonomy"), Key: key, Value: schemas.AppendEvent(nil, ids["taxonomy"], e)})
			})
		})},
		{node: "dedup", from: "taxonomy", each: dedupHop(ctx, serde, keys, func(e *dho.Event, key []byte) *kgo.Record {
			return &kgo.Record{Topic: topic("dedup"), Key: key, Value: schemas.AppendEvent(nil, ids["dedup"], e)}
		}, topic("dedup.seen.changelog"))},
	}
	var buf []byte
	var written int64
	var outMu sync.Mutex
	hops = append(hops, struct {
		node, from string
		each       func(cl *kgo.Client, r *kgo.Record, produce func(*kgo.Record)) error
		after      func() error
	}{node: "output", from: "dedup", each: eventHop(ctx, serde, func(e *dho.Event, _ func(*kgo.Record), _ []byte) error {
		outMu.Lock()
		buf = append(e.AppendFlat(buf, dho.FlatOptions{}), '\n')
		written++
		outMu.Unlock()
		return nil
	}), after: func() error {
		outMu.Lock()
		defer outMu.Unlock()
		if len(buf) == 0 {
			return nil
		}
		if _, err := f.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
		if err := f.Sync(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "WROTE %d\n", written)
		return nil
	}})

	errs := make(chan error, len(hops))
	for _, h := range hops {
		go func() {
			errs <- runHop(ctx, brokers, handName+"."+h.node, topic(h.from), h.each, h.after)
		}()
	}
	var first error
	for range hops {
		if err := <-errs; err != nil && first == nil && ctx.Err() == nil {
			first = err
		}
	}
	return first
}

// eventHop decodes each record into a reused event and hands it to fn.
func eventHop(ctx context.Context, serde *schemas.Serde, fn func(e *dho.Event, produce func(*kgo.Record), key []byte) error) func(*kgo.Client, *kgo.Record, func(*kgo.Record)) error {
	var e dho.Event
	return func(_ *kgo.Client, r *kgo.Record, produce func(*kgo.Record)) error {
		if err := serde.DecodeEvent(ctx, r.Value, &e); err != nil {
			return err
		}
		return fn(&e, produce, r.Key)
	}
}

// dedupHop drops events whose hash it has seen (per input partition, as
// the table is partitioned) and records new hashes in a changelog topic.
func dedupHop(ctx context.Context, serde *schemas.Serde, keys []string, out func(*dho.Event, []byte) *kgo.Record, changelog string) func(*kgo.Client, *kgo.Record, func(*kgo.Record)) error {
	type entry struct {
		Expires   int64 `json:"exp"`
		Partition int32 `json:"p"`
		Offset    int64 `json:"o"`
	}
	seen := map[int32]map[string]bool{}
	var e dho.Event
	return func(_ *kgo.Client, r *kgo.Record, produce func(*kgo.Record)) error {
		if err := serde.DecodeEvent(ctx, r.Value, &e); err != nil {
			return err
		}
		hash := e.Hash(keys, false)
		m := seen[r.Partition]
		if m == nil {
			m = map[string]bool{}
			seen[r.Partition] = m
		}
		if m[hash] {
			return nil
		}
		m[hash] = true
		exp := r.Timestamp.UnixNano() + 24*3600*1e9
		v, _ := json.Marshal(entry{Expires: exp, Partition: r.Partition, Offset: r.Offset})
		produce(&kgo.Record{Topic: changelog, Key: []byte("h/" + hash), Value: v})
		produce(&kgo.Record{Topic: changelog, Key: fmt.Appendf(nil, "x/%020d/%s", exp, hash), Value: []byte("{}")})
		produce(out(&e, r.Key))
		return nil
	}
}

// runHop is one consumer-group member: poll, process, produce, flush,
// commit, until ctx ends.
func runHop(ctx context.Context, brokers []string, group, from string, each func(*kgo.Client, *kgo.Record, func(*kgo.Record)) error, after func() error) error {
	// Uncompressed batches, as the topology's transport sends them to a
	// broker on loopback (see transport/kafka.Compression).
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumerGroup(group), kgo.ConsumeTopics(from),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return err
	}
	defer cl.Close()
	var failed error
	var mu sync.Mutex
	produce := func(r *kgo.Record) {
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
			}
		})
	}
	for ctx.Err() == nil {
		fetches := cl.PollRecords(ctx, 1000)
		if ctx.Err() != nil {
			return nil
		}
		var procErr error
		fetches.EachRecord(func(r *kgo.Record) {
			if procErr == nil {
				procErr = each(cl, r, produce)
			}
		})
		if procErr != nil {
			return fmt.Errorf("%s: %w", group, procErr)
		}
		if err := cl.Flush(ctx); err != nil {
			return nil
		}
		mu.Lock()
		err := failed
		mu.Unlock()
		if err != nil {
			return fmt.Errorf("%s: produce: %w", group, err)
		}
		if after != nil {
			if err := after(); err != nil {
				return err
			}
		}
		if err := cl.CommitUncommittedOffsets(ctx); err != nil && ctx.Err() == nil {
			return fmt.Errorf("%s: commit: %w", group, err)
		}
	}
	return nil
}
