package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport"
)

// RunOption configures Run.
type RunOption func(*runConfig)

type runConfig struct {
	transport   transport.Transport
	registry    *schemas.Registry
	nodes       []string
	logger      *slog.Logger
	partitions  int32
	replication int16
	hooks       []Hook
	maxInFlight int
	exactlyOnce bool
	lagInterval time.Duration
	closeFns    []func() error
	stateDir    string
	memoryState bool
	controller  *Controller
	// shutdownTimeout bounds how long a node stopping finishes its batch.
	shutdownTimeout time.Duration
}

// DefaultShutdownTimeout is how long a stopping node waits at most for its
// batch's outputs to be acknowledged and committed (see WithShutdownTimeout).
const DefaultShutdownTimeout = 20 * time.Second

// WithShutdownTimeout bounds how long a node that is told to stop (the
// run's context is cancelled, or the controller stops the node) goes on
// finishing its batch: flushing its outputs and committing its input. What
// is not committed then comes again after a restart (at least once), so a
// node whose broker is gone exits after d instead of waiting for it.
// Closing the node's clients afterwards takes at most the transport's own
// close timeout. The default is DefaultShutdownTimeout; 0 lets a stopping
// node wait as long as a running one, up to 2 minutes for a batch.
func WithShutdownTimeout(d time.Duration) RunOption {
	return func(c *runConfig) { c.shutdownTimeout = d }
}

// WithStateDir keeps the local stores of tables under dir (one LevelDB per
// node and partition, under dir/<topology>/<node>/p<partition>). The default
// is intelstream/state in the user's cache directory. Instances of the same
// node need directories of their own.
func WithStateDir(dir string) RunOption { return func(c *runConfig) { c.stateDir = dir } }

// WithMemoryState keeps the local stores of tables in memory (restored from
// the changelog at every start): for tests and small tables.
func WithMemoryState() RunOption { return func(c *runConfig) { c.memoryState = true } }

// WithTransport runs on tr (e.g. transport/kafka against real brokers).
// Without it Run needs an embedded broker: see package cluster helpers.
func WithTransport(tr transport.Transport) RunOption {
	return func(c *runConfig) { c.transport = tr }
}

// WithRegistry uses reg for the records' Avro schemas.
func WithRegistry(reg *schemas.Registry) RunOption {
	return func(c *runConfig) { c.registry = reg }
}

// OnlyNodes runs only the named nodes, so that each node can run in its own
// process (or container) against a shared broker.
func OnlyNodes(names ...string) RunOption {
	return func(c *runConfig) { c.nodes = append(c.nodes, names...) }
}

// WithLogger logs with l (default slog.Default()).
func WithLogger(l *slog.Logger) RunOption { return func(c *runConfig) { c.logger = l } }

// WithPartitions sets the partitions and replication factor of the topics
// Run creates (defaults 3 and 1).
func WithPartitions(partitions int32, replication int16) RunOption {
	return func(c *runConfig) { c.partitions, c.replication = partitions, replication }
}

// ExactlyOnce makes every consuming node commit its input offsets in the
// same Kafka transaction as the records it produced for them, so that a
// crash or rebalance never duplicates an output (readers must read
// committed records only, which the transports' consumers do). The
// transport must implement transport.Transactional.
func ExactlyOnce() RunOption { return func(c *runConfig) { c.exactlyOnce = true } }

// WithLagInterval sets how often consumer lag is measured for HookLag
// (default 15s; 0 turns it off).
func WithLagInterval(d time.Duration) RunOption { return func(c *runConfig) { c.lagInterval = d } }

// WithHooks adds hooks (see Hook).
func WithHooks(hooks ...Hook) RunOption {
	return func(c *runConfig) { c.hooks = append(c.hooks, hooks...) }
}

// DefaultMaxInFlight is how many records a node holds at most, unless the
// node's MaxInFlight option says otherwise.
const DefaultMaxInFlight = 1000

// DefaultBatchSize and DefaultBatchWait are the batch of an output or batch
// processor unless its Batch option says otherwise.
const (
	DefaultBatchSize = 500
	DefaultBatchWait = 100 * time.Millisecond
)

// Header names of dead-letter records.
const (
	HeaderDLQReason    = "intelstream.dlq.reason"
	HeaderDLQNode      = "intelstream.dlq.node"
	HeaderDLQTopic     = "intelstream.dlq.topic"
	HeaderDLQPartition = "intelstream.dlq.partition"
	HeaderDLQOffset    = "intelstream.dlq.offset"
	HeaderDLQTime      = "intelstream.dlq.time"
)

// Topics returns every topic the topology uses: node outputs and dead-letter
// topics, in declaration order.
func (t *Topology) Topics() []string {
	var out []string
	for _, n := range t.nodes {
		switch n.op {
		case opSink:
		case opRoute:
			for i := range n.branches {
				out = append(out, t.outputTopic(n, i))
			}
		default:
			out = append(out, t.outputTopic(n, 0))
		}
		out = append(out, t.dlqTopic(n))
		for _, side := range n.sideOutputs() {
			out = append(out, t.sideTopic(n, side))
		}
	}
	return out
}

// Run runs the topology (or the nodes named by OnlyNodes) until ctx ends or
// a node fails. On cancellation every node finishes the batch it holds,
// commits it and leaves its consumer group, so a restart resumes from the
// committed offsets without loss.
//
// Run owns the nodes' processors while it runs: when it returns, every
// processor that implements io.Closer is closed (a topology is built anew to
// run again; topology.Build does).
func (t *Topology) Run(ctx context.Context, opts ...RunOption) (err error) {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("topology %s: %w", t.name, err)
	}
	cfg := runConfig{logger: slog.Default(), partitions: 3, replication: 1, maxInFlight: DefaultMaxInFlight, lagInterval: 15 * time.Second, shutdownTimeout: DefaultShutdownTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	defer func() {
		for _, fn := range slices.Backward(cfg.closeFns) {
			_ = fn()
		}
	}()
	if cfg.transport == nil || cfg.registry == nil {
		return errors.New("topology: Run needs a transport and a schema registry (WithTransport, WithRegistry); cmd/intelstream and the examples start embedded ones")
	}
	selected, err := t.selectNodes(cfg.nodes)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeProcessors(selected, cfg.logger)) }()
	var specs []transport.TopicSpec
	for _, name := range t.Topics() {
		specs = append(specs, transport.TopicSpec{Name: name, Partitions: cfg.partitions, ReplicationFactor: cfg.replication})
	}
	for _, n := range t.nodes {
		if n.opts.partitions > 0 {
			for i := range specs {
				if specs[i].Name == t.outputTopic(n, 0) {
					specs[i].Partitions = n.opts.partitions
				}
			}
		}
	}
	for _, n := range t.nodes {
		for _, tb := range n.tables() {
			specs = append(specs, transport.TopicSpec{Name: t.changelogTopic(n, tb.TableName()), Partitions: t.inputPartitions(n, cfg.partitions),
				ReplicationFactor: cfg.replication, Config: map[string]string{"cleanup.policy": "compact"}})
		}
	}
	if err := cfg.transport.CreateTopics(ctx, specs...); err != nil {
		return fmt.Errorf("topology %s: creating topics: %w", t.name, err)
	}
	serde := schemas.NewSerde(cfg.registry, schemas.TopicName)
	hooks := newHookSet(cfg.hooks)

	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Every node is set up before any starts, so that a node that finishes
	// at once (a collector of one file) cannot race the others' setup.
	rts := make([]*nodeRuntime, 0, len(selected))
	for _, n := range selected {
		rt, err := t.newNodeRuntime(rctx, n, &cfg, serde, hooks, 0)
		if err != nil {
			for _, r := range rts {
				r.close()
			}
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return err
		}
		rts = append(rts, rt)
	}
	runNode := cfg.controller.attach(t, &cfg, selected, func(n *node, worker int) (*nodeRuntime, error) {
		return t.newNodeRuntime(rctx, n, &cfg, serde, hooks, worker)
	})
	var wg sync.WaitGroup
	errs := make([]error, len(selected))
	for i, rt := range rts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := runNode(rctx, rt)
			if err != nil && rctx.Err() == nil {
				errs[i] = fmt.Errorf("node %s: %w", rt.n.name, err)
				cancel(errs[i])
			}
		}()
	}
	if lr, ok := cfg.transport.(transport.LagReader); ok && len(hooks.lag) > 0 && cfg.lagInterval > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.reportLag(rctx, lr, selected, hooks, cfg.lagInterval, cfg.logger)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// closeProcessors closes the processors of nodes that implement io.Closer
// (outputs' connections and files, experts' clients): Run owns them while
// it runs, so a topology is built anew to run again (topology.Build does).
func closeProcessors(nodes []*node, log *slog.Logger) error {
	var errs []error
	for _, n := range nodes {
		c, ok := n.processor().(io.Closer)
		if !ok {
			continue
		}
		if err := c.Close(); err != nil {
			log.Error("closing the node's processor", "node", n.name, "err", err)
			errs = append(errs, fmt.Errorf("node %s: closing: %w", n.name, err))
		}
	}
	return errors.Join(errs...)
}

// reportLag measures the consuming nodes' lag every interval.
func (t *Topology) reportLag(ctx context.Context, lr transport.LagReader, nodes []*node, hooks *hookSet, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, n := range nodes {
			if n.op == opSource {
				continue
			}
			lag, err := lr.Lag(ctx, t.group(n))
			if err != nil {
				log.Debug("consumer lag", "node", n.name, "err", err)
				continue
			}
			for _, h := range hooks.lag {
				h.OnLag(n.name, lag)
			}
		}
	}
}

func (t *Topology) selectNodes(names []string) ([]*node, error) {
	if len(names) == 0 {
		return t.nodes, nil
	}
	var out []*node
	for _, name := range names {
		n, ok := t.index[name]
		if !ok {
			return nil, fmt.Errorf("topology %s has no node %q (nodes: %v)", t.name, name, t.Nodes())
		}
		out = append(out, n)
	}
	return out, nil
}

// nodeRuntime is what one running node uses: its clients, topics and
// schema ids. The typed loops in impl.go drive it.
type nodeRuntime struct {
	t        *Topology
	n        *node
	log      *slog.Logger
	hooks    *hookSet
	serde    *schemas.Serde
	producer transport.Producer
	consumer transport.Consumer   // nil for sources
	txn      transport.TxnSession // exactly once: replaces producer and consumer
	outputs  []string             // topic per output port
	ids      []int                // schema id per output port
	dlq      string
	inFlight int
	retries  int
	backoff  time.Duration

	// batchSize and batchWait (outputs and batch processors): a poll
	// gathers records until it holds batchSize or batchWait has passed
	// since the first came. 0 for other nodes.
	batchSize int
	batchWait time.Duration

	// stopping is the node's run context: once it is done, a batch being
	// finished gets shutdownTimeout more.
	stopping        context.Context
	shutdownTimeout time.Duration

	state *nodeState // nil for nodes without tables
	// collectorStateDir is a collector's directory for state of its own
	// (StateDir); "" with WithMemoryState.
	collectorStateDir string
	tick              time.Duration

	// worker is 0 for the node's first group member, 1... for the
	// further ones Controller.Scale runs (which fire no started and
	// stopped hooks: the node runs while its first member does).
	worker int

	mu         sync.Mutex
	produceErr error

	ackFn func(*transport.Record, error) // rt.acked, made once

	// encodeSize is the size of the node's last encoded output (see
	// encode).
	encodeSize atomic.Int64
}

func (t *Topology) newNodeRuntime(ctx context.Context, n *node, cfg *runConfig, serde *schemas.Serde, hooks *hookSet, worker int) (*nodeRuntime, error) {
	log := cfg.logger.With("topology", t.name, "node", n.name)
	id := t.group(n) // names the producer; a transactional id must be unique per member
	if worker > 0 {
		log = log.With("worker", worker)
		id += ".w" + strconv.Itoa(worker)
	}
	rt := &nodeRuntime{
		t: t, n: n, log: log, hooks: hooks, serde: serde, worker: worker, shutdownTimeout: cfg.shutdownTimeout,
		dlq: t.dlqTopic(n), inFlight: cfg.maxInFlight, retries: 5, backoff: 100 * time.Millisecond,
	}
	rt.ackFn = rt.acked // one method value, not one per record
	if n.opts.maxInFlight > 0 {
		rt.inFlight = n.opts.maxInFlight
	}
	if n.opts.retries > 0 {
		rt.retries, rt.backoff = n.opts.retries, n.opts.retryBackoff
	}
	if n.op == opSource && !cfg.memoryState {
		// Without a directory a collector keeps its state in memory.
		if dir, err := nodeStateDir(cfg, t, n); err == nil {
			rt.collectorStateDir = dir
		} else {
			rt.log.Warn("collector state stays in memory", "err", err)
		}
	}
	if n.batches() {
		rt.batchSize, rt.batchWait = DefaultBatchSize, DefaultBatchWait
		if n.opts.batchSize > 0 {
			rt.batchSize, rt.batchWait = n.opts.batchSize, n.opts.batchWait
		}
		rt.inFlight = max(rt.inFlight, rt.batchSize)
	}
	record := schemas.EventRecord
	switch n.outType {
	case "report":
		record = schemas.ReportRecord
	case "digest":
		record = schemas.DigestRecord
	}
	switch n.op {
	case opSink:
	case opRoute:
		for i := range n.branches {
			rt.outputs = append(rt.outputs, t.outputTopic(n, i))
		}
	default:
		rt.outputs = []string{t.outputTopic(n, 0)}
	}
	for _, topic := range rt.outputs {
		id, err := serde.Prepare(ctx, topic, record)
		if err != nil {
			return nil, fmt.Errorf("node %s: schema for %s: %w", n.name, topic, err)
		}
		rt.ids = append(rt.ids, id)
	}
	var topics []string
	for _, in := range n.inputs {
		topics = append(topics, t.outputTopic(in.n, in.branch))
	}
	var onAssigned, onRevoked func(string, []int32)
	if tables := n.tables(); len(tables) > 0 {
		st, err := newNodeState(rt, tables, cfg)
		if err != nil {
			return nil, err
		}
		rt.state, onAssigned, onRevoked = st, st.assigned, st.revoked
		rt.tick = n.opts.tick
		if rt.tick <= 0 {
			rt.tick = time.Second
		}
	}
	if cfg.exactlyOnce && n.op != opSource {
		tx, ok := cfg.transport.(transport.Transactional)
		if !ok {
			return nil, fmt.Errorf("node %s: exactly once needs a transactional transport", n.name)
		}
		s, err := tx.NewTxnSession(transport.TxnOptions{ID: id, Group: t.group(n), Topics: topics,
			MaxPollRecords: rt.inFlight, MaxBuffered: rt.inFlight * 4, OnAssigned: onAssigned, OnRevoked: onRevoked})
		if err != nil {
			return nil, fmt.Errorf("node %s: transactional session: %w", n.name, err)
		}
		rt.txn = s
		return rt, nil
	}
	p, err := cfg.transport.NewProducer(transport.ProducerOptions{ID: id, MaxBuffered: rt.inFlight * 4})
	if err != nil {
		return nil, fmt.Errorf("node %s: producer: %w", n.name, err)
	}
	rt.producer = p
	if n.op != opSource {
		c, err := cfg.transport.NewConsumer(transport.ConsumerOptions{Group: t.group(n), Topics: topics, MaxPollRecords: rt.inFlight,
			OnAssigned: onAssigned, OnRevoked: onRevoked})
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("node %s: consumer: %w", n.name, err)
		}
		rt.consumer = c
	}
	return rt, nil
}

func (rt *nodeRuntime) run(ctx context.Context) (err error) {
	if rt.worker == 0 {
		for _, h := range rt.hooks.started {
			h.OnNodeStarted(rt.n.name)
		}
	}
	rt.log.Info("node started", "op", rt.n.op.String(), "outputs", rt.outputs)
	rt.stopping = ctx
	defer func() {
		if cerr := rt.close(); cerr != nil && err == nil {
			err = cerr
		}
		if rt.worker == 0 {
			for _, h := range rt.hooks.stopped {
				h.OnNodeStopped(rt.n.name, err)
			}
		}
		rt.log.Info("node stopped", "err", err)
	}()
	return rt.n.impl.(nodeImpl).run(context.WithValue(ctx, loggerKey{}, rt.log), rt)
}

// close releases the node's clients.
func (rt *nodeRuntime) close() error {
	var closers []func() error
	switch {
	case rt.txn != nil:
		closers = append(closers, rt.txn.Close)
	case rt.consumer != nil:
		closers = append(closers, rt.consumer.Close, rt.producer.Close)
	default:
		closers = append(closers, rt.producer.Close)
	}
	if rt.state != nil {
		// After the clients: the consumer's last revocation may still
		// need the state.
		closers = append(closers, rt.state.close)
	}
	var first error
	for _, c := range closers {
		if err := c(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// produce sends one encoded record to output port p. Errors surface at the
// next finish.
func (rt *nodeRuntime) produce(ctx context.Context, p int, key, value []byte, headers []transport.Header) {
	rt.send(ctx, &transport.Record{Topic: rt.outputs[p], Key: key, Value: value, Headers: headers})
}

func (rt *nodeRuntime) send(ctx context.Context, r *transport.Record) {
	rt.sendWith(ctx, r, rt.ackFn)
}

// sendWith sends r with done as its acknowledgement callback (which must
// call rt.acked).
func (rt *nodeRuntime) sendWith(ctx context.Context, r *transport.Record, done func(*transport.Record, error)) {
	if rt.txn != nil {
		rt.txn.Produce(ctx, r, done)
		return
	}
	rt.producer.Produce(ctx, r, done)
}

func (rt *nodeRuntime) acked(r *transport.Record, err error) {
	if err != nil {
		rt.mu.Lock()
		if rt.produceErr == nil {
			rt.produceErr = fmt.Errorf("producing to %s: %w", r.Topic, err)
		}
		rt.mu.Unlock()
		return
	}
	for _, h := range rt.hooks.produced {
		h.OnRecordProduced(rt.n.name, r)
	}
}

// dead sends the input record, untouched, to the dead-letter topic with the
// reason and its origin in headers.
func (rt *nodeRuntime) dead(ctx context.Context, r *transport.Record, reason error) {
	rt.log.Warn("record to dead-letter topic", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "reason", reason)
	for _, h := range rt.hooks.failed {
		h.OnRecordFailed(rt.n.name, r, reason)
	}
	rt.send(ctx, &transport.Record{Topic: rt.dlq, Key: r.Key, Value: r.Value, Headers: rt.originHeaders(r, reason)})
}

// originHeaders are r's headers plus the reason and where r came from, as
// dead letters and diverted records carry them.
func (rt *nodeRuntime) originHeaders(r *transport.Record, reason error) []transport.Header {
	return append(slices.Clone(r.Headers),
		transport.Header{Key: HeaderDLQReason, Value: []byte(reason.Error())},
		transport.Header{Key: HeaderDLQNode, Value: []byte(rt.n.name)},
		transport.Header{Key: HeaderDLQTopic, Value: []byte(r.Topic)},
		transport.Header{Key: HeaderDLQPartition, Value: []byte(strconv.Itoa(int(r.Partition)))},
		transport.Header{Key: HeaderDLQOffset, Value: []byte(strconv.FormatInt(r.Offset, 10))},
		transport.Header{Key: HeaderDLQTime, Value: []byte(time.Now().UTC().Format(time.RFC3339Nano))},
	)
}

// finish waits until everything produced for records is acknowledged and
// then commits records: at least once. It runs to the end even when the
// node is told to stop (a shutdown finishes its batch), bounded by a
// timeout: 2 minutes, and shutdownTimeout once the node is stopping.
func (rt *nodeRuntime) finish(records []*transport.Record) error {
	ctx, cancel := rt.finishContext()
	defer cancel()
	if rt.state != nil {
		rt.state.send(ctx)
	}
	if rt.txn != nil {
		return rt.finishTxn(ctx, records)
	}
	if err := rt.producer.Flush(ctx); err != nil {
		return fmt.Errorf("flushing: %w", err)
	}
	rt.mu.Lock()
	perr := rt.produceErr
	rt.mu.Unlock()
	if perr != nil {
		// Not committing: the records come again after a restart.
		return perr
	}
	if rt.consumer != nil && len(records) > 0 {
		if err := rt.consumer.Commit(ctx, records); err != nil {
			return fmt.Errorf("committing: %w", err)
		}
		for _, h := range rt.hooks.committed {
			h.OnCommitted(rt.n.name, len(records))
		}
	}
	if rt.state != nil {
		// The changelog holds the batch's writes (flushed above): the
		// local store may have them too.
		return rt.state.commit()
	}
	return nil
}

// finishContext is the context a batch is finished in (see finish).
func (rt *nodeRuntime) finishContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	if rt.stopping == nil || rt.shutdownTimeout <= 0 {
		return ctx, cancel
	}
	var mu sync.Mutex
	var timer *time.Timer
	stop := context.AfterFunc(rt.stopping, func() {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() == nil {
			timer = time.AfterFunc(rt.shutdownTimeout, cancel)
		}
	})
	return ctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// finishTxn ends the batch's transaction: the outputs and the input
// offsets commit together, or (after a produce failure or a rebalance)
// neither does and the inputs come again.
func (rt *nodeRuntime) finishTxn(ctx context.Context, records []*transport.Record) error {
	rt.mu.Lock()
	perr := rt.produceErr
	rt.produceErr = nil
	rt.mu.Unlock()
	committed, err := rt.txn.End(ctx, perr == nil)
	if rt.state != nil {
		if committed && err == nil {
			if serr := rt.state.commit(); serr != nil {
				return serr
			}
		} else {
			rt.state.abort()
		}
	}
	if err != nil {
		return fmt.Errorf("ending transaction: %w", err)
	}
	if perr != nil {
		return perr
	}
	if committed {
		for _, h := range rt.hooks.committed {
			h.OnCommitted(rt.n.name, len(records))
		}
	} else {
		rt.log.Info("transaction aborted (rebalance): the batch comes again", "records", len(records))
	}
	return nil
}

// poll fetches the next batch; ok is false when the node should stop. A
// node with tables waits at most its tick interval, so that it can tick
// (close windows) when no records come: then the batch is empty.
func (rt *nodeRuntime) poll(ctx context.Context) ([]*transport.Record, bool, error) {
	var recs []*transport.Record
	var err error
	pctx := ctx
	if rt.state != nil {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, rt.tick)
		defer cancel()
	}
	if !rt.waitResumed(ctx) { // paused by a Controller
		return nil, false, nil
	}
	recs, err = rt.fetch(pctx)
	if err != nil && ctx.Err() == nil && pctx.Err() != nil {
		recs, err = nil, nil // waited a tick: an empty batch
	}
	if err == nil && len(recs) > 0 && len(recs) < rt.batchSize && rt.batchWait > 0 {
		recs, err = rt.fill(ctx, recs)
	}
	if err == nil && rt.txn != nil {
		err = rt.txn.Begin()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, nil
		}
		return nil, false, err
	}
	for _, r := range recs {
		for _, h := range rt.hooks.received {
			h.OnRecordReceived(rt.n.name, r)
		}
	}
	return recs, true, nil
}

// fetch is one poll of the node's consumer or transactional session.
func (rt *nodeRuntime) fetch(ctx context.Context) ([]*transport.Record, error) {
	if rt.txn != nil {
		return rt.txn.Poll(ctx)
	}
	return rt.consumer.Poll(ctx)
}

// fill polls on until recs holds the node's batch size or its batch wait
// has passed since the first record came. A stop ends the wait early; what
// was gathered is still processed and committed.
func (rt *nodeRuntime) fill(ctx context.Context, recs []*transport.Record) ([]*transport.Record, error) {
	wctx, cancel := context.WithTimeout(ctx, rt.batchWait)
	defer cancel()
	for len(recs) < rt.batchSize {
		more, err := rt.fetch(wctx)
		if err != nil {
			if wctx.Err() != nil {
				return recs, nil // the wait is over (or the node stops)
			}
			return nil, err
		}
		recs = append(recs, more...)
	}
	return recs, nil
}

// errStopping is what retry returns when the node is asked to stop while it
// waits to retry: the batch is then left uncommitted (it comes again after
// the restart) rather than dead-lettered.
var errStopping = errors.New("node stopping")

// retry runs fn, retrying transient failures with exponential backoff. A
// stop (ctx done) ends the waiting with errStopping.
func (rt *nodeRuntime) retry(ctx context.Context, fn func() error) error {
	wait := rt.backoff
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !IsTransient(err) || attempt >= rt.retries {
			return err
		}
		rt.log.Debug("transient failure, retrying", "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return errStopping
		case <-time.After(wait):
		}
		wait = min(wait*2, 30*time.Second)
	}
}
