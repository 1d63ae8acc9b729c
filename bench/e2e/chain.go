package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/internal/embedded"
	"github.com/intelstream/intelstream/internal/procstat"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/kafka"
)

// chainResult is one end-to-end measurement.
type chainResult struct {
	Chain      string  `json:"chain"` // "topology" or "hand"
	Workers    int     `json:"workers"`
	Partitions int     `json:"partitions"`
	Events     int64   `json:"events"`   // events the outputs wrote by the time the workers stopped
	Expected   int     `json:"expected"` // distinct events the input holds
	Seconds    float64 `json:"seconds"`  // first report produced → last expected event synced
	EventsPerS float64 `json:"events_per_s"`
	PeakRSSMiB float64 `json:"peak_rss_mib"` // sum of the worker processes' peak RSS (the broker excluded)
	MaxRSSMiB  float64 `json:"max_rss_mib"`  // the largest worker's peak RSS
	// WorkerCPUSeconds is the CPU time of all worker processes (their whole
	// life, group joins included); CoresPer10k the same per 10,000 events/s.
	WorkerCPUSeconds float64 `json:"worker_cpu_seconds"`
	CoresPer10k      float64 `json:"cores_per_10k_events_per_s"`
	// With one process per node (-per-node): what each node's process used.
	Nodes []nodeUsage `json:"nodes,omitempty"`
	// CPU seconds the benchmark's own process (the kfake broker) used.
	BrokerCPUSeconds float64 `json:"broker_cpu_seconds"`
}

// nodeUsage is one node process's resource use over a run.
type nodeUsage struct {
	Node       string  `json:"node"`
	CPUSeconds float64 `json:"cpu_seconds"` // user + system, whole process life
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	StateBytes int64   `json:"state_bytes"` // the node's local table stores on disk
	// CoresPer10k is the CPU the node needs per 10,000 events/s: CPU
	// seconds per event × 10,000.
	CoresPer10k float64 `json:"cores_per_10k_events_per_s"`
}

// worker is one running worker process.
type worker struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	written int64
	rssKiB  int64
	cpuSec  float64
	disk    int64
	node    string // the only node it runs, with -per-node
	done    chan struct{}
}

func (w *worker) count() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// runChain measures one chain ("topology" or "hand") with n worker
// processes and n partitions per topic, on a fresh embedded broker (in
// this process) and registry.
//
// With perNode (the topology only) every consuming node runs in a process
// of its own instead, and the result says what each used.
func runChain(ctx context.Context, kind string, n int, reports [][]byte, expected int, tmp string, timeout time.Duration, profileDir string, perNode bool) (chainResult, error) {
	res := chainResult{Chain: kind, Workers: n, Partitions: n, Expected: expected}
	cpuBefore := procstat.CPUTime().Seconds()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cl, err := embedded.Start(ctx, embedded.Partitions(n))
	if err != nil {
		return res, err
	}
	defer cl.Close()
	brokers := cl.Brokers()
	reg, err := schemas.NewRegistry([]string{cl.RegistryURL()})
	if err != nil {
		return res, err
	}

	prefix, nodes, dedupNode := chainShape(kind)
	topics := []transport.TopicSpec{{Name: prefix + ".collect", Partitions: int32(n), ReplicationFactor: 1}}
	for _, node := range nodes[:len(nodes)-1] {
		topics = append(topics, transport.TopicSpec{Name: prefix + "." + node, Partitions: int32(n), ReplicationFactor: 1})
	}
	topics = append(topics, transport.TopicSpec{Name: prefix + "." + dedupNode + ".seen.changelog", Partitions: int32(n), ReplicationFactor: 1,
		Config: map[string]string{"cleanup.policy": "compact"}})
	tr, err := kafka.New(kafka.Brokers(brokers...))
	if err != nil {
		return res, err
	}
	err = tr.CreateTopics(ctx, topics...)
	tr.Close()
	if err != nil {
		return res, err
	}

	dir := filepath.Join(tmp, fmt.Sprintf("%s-%d", kind, n))
	members := n
	var only []string
	if perNode {
		dir += "-per-node"
		members, only = 1, nodes
		res.Chain = kind + " per node"
	}
	workers := make([]*worker, max(n, len(only)))
	if perNode {
		workers = workers[:len(only)]
	}
	for i := range workers {
		wdir := filepath.Join(dir, strconv.Itoa(i))
		if err := os.MkdirAll(wdir, 0o755); err != nil {
			return res, err
		}
		profile := ""
		if profileDir != "" {
			profile = filepath.Join(profileDir, fmt.Sprintf("worker-%s-%d-%d.pprof", kind, n, i))
		}
		node := ""
		if perNode {
			node = only[i]
		}
		w, err := startWorker(kind, brokers, cl.RegistryURL(), n, wdir, profile, node)
		if err != nil {
			return res, err
		}
		workers[i] = w
	}
	defer func() {
		for _, w := range workers {
			if w != nil && w.cmd.ProcessState == nil {
				_ = w.cmd.Process.Kill()
				<-w.done
			}
		}
	}()
	if err := waitGroupsStable(ctx, brokers, prefix, nodes, members, n, workers); err != nil {
		return res, err
	}

	// The clock runs from the first report produced to the last expected
	// event synced by an output.
	serde := schemas.NewSerde(reg, schemas.TopicName)
	// Uncompressed, as a collector's transport sends to a broker on
	// loopback.
	pcl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return res, err
	}
	defer pcl.Close()
	var produceErr atomic.Pointer[error]
	start := time.Now()
	for i, raw := range reports {
		r, err := newReport(raw)
		if err != nil {
			return res, err
		}
		v, err := serde.EncodeReport(ctx, prefix+".collect", r)
		if err != nil {
			return res, err
		}
		pcl.Produce(ctx, &kgo.Record{Topic: prefix + ".collect", Key: []byte(strconv.Itoa(i)), Value: v}, func(_ *kgo.Record, err error) {
			if err != nil {
				produceErr.CompareAndSwap(nil, &err)
			}
		})
	}
	if err := pcl.Flush(ctx); err != nil {
		return res, err
	}
	if err := produceErr.Load(); err != nil {
		return res, fmt.Errorf("producing the reports: %w", *err)
	}
	for {
		var total int64
		for _, w := range workers {
			total += w.count()
		}
		if total >= int64(expected) {
			res.Seconds = time.Since(start).Seconds()
			res.Events = total
			break
		}
		for _, w := range workers {
			select {
			case <-w.done:
				return res, fmt.Errorf("%s worker exited early: %v", kind, w.cmd.ProcessState)
			default:
			}
		}
		if ctx.Err() != nil {
			return res, fmt.Errorf("%s with %d workers: %d of %d events after %s", kind, n, total, expected, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
	res.EventsPerS = float64(expected) / res.Seconds

	for _, w := range workers {
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
	}
	// At least once allows repeats; the final count says whether any came.
	var final int64
	for _, w := range workers {
		select {
		case <-w.done:
		case <-time.After(30 * time.Second):
			return res, fmt.Errorf("a %s worker did not stop", kind)
		}
		w.mu.Lock()
		res.PeakRSSMiB += float64(w.rssKiB) / 1024
		res.MaxRSSMiB = max(res.MaxRSSMiB, float64(w.rssKiB)/1024)
		final += w.written
		res.WorkerCPUSeconds += w.cpuSec
		if w.node != "" {
			res.Nodes = append(res.Nodes, nodeUsage{Node: w.node, CPUSeconds: w.cpuSec, PeakRSSMiB: float64(w.rssKiB) / 1024,
				StateBytes: w.disk, CoresPer10k: w.cpuSec / float64(expected) * 10_000})
		}
		w.mu.Unlock()
	}
	res.Events = final
	res.CoresPer10k = res.WorkerCPUSeconds / float64(expected) * 10_000
	res.BrokerCPUSeconds = procstat.CPUTime().Seconds() - cpuBefore
	return res, nil
}

// startWorker starts this program as a worker process.
func startWorker(kind string, brokers []string, registry string, partitions int, dir, profile, node string) (*worker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envWorker+"="+kind, envBrokers+"="+strings.Join(brokers, ","), envRegistry+"="+registry,
		envPartitions+"="+strconv.Itoa(partitions), envDir+"="+dir, envProfile+"="+profile, envNodes+"="+node)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &worker{cmd: cmd, done: make(chan struct{}), node: node}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "WROTE "); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				w.mu.Lock()
				w.written = n
				w.mu.Unlock()
			} else if v, ok := strings.CutPrefix(line, "USAGE "); ok {
				var rss, disk int64
				var cpu float64
				fmt.Sscanf(v, "rss-kib=%d cpu-s=%g state-bytes=%d", &rss, &cpu, &disk)
				w.mu.Lock()
				w.rssKiB, w.cpuSec, w.disk = rss, cpu, disk
				w.mu.Unlock()
			}
		}
		_ = cmd.Wait()
	}()
	return w, nil
}

// waitGroupsStable waits until every consuming node's group has n members
// and every partition of its input assigned, so that the measurement does
// not include process start and group joins.
func waitGroupsStable(ctx context.Context, brokers []string, prefix string, nodes []string, members, partitions int, workers []*worker) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	groups := make([]string, len(nodes))
	for i, node := range nodes {
		groups[i] = prefix + "." + node
	}
	for {
		described, err := adm.DescribeGroups(ctx, groups...)
		if err == nil {
			ready := 0
			for _, g := range described {
				if g.State != "Stable" || len(g.Members) != members {
					continue
				}
				assigned := 0
				for _, m := range g.Members {
					if a, ok := m.Assigned.AsConsumer(); ok {
						for _, t := range a.Topics {
							assigned += len(t.Partitions)
						}
					}
				}
				if assigned == partitions {
					ready++
				}
			}
			if ready == len(groups) {
				return nil
			}
		}
		for _, w := range workers {
			select {
			case <-w.done:
				return fmt.Errorf("a worker exited while joining: %v", w.cmd.ProcessState)
			default:
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("groups %v not stable with %d members: %w", groups, members, ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
