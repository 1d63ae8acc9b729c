package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport"
)

// NodeState is what a node of a running topology is doing.
type NodeState string

// The node states a Controller reports.
const (
	StatePending NodeState = "pending" // not started yet
	StateRunning NodeState = "running"
	StatePaused  NodeState = "paused"  // running, but neither polling nor emitting
	StateStopped NodeState = "stopped" // stopped by request; Start runs it again
	StateFailed  NodeState = "failed"  // ended with an error (which ends the run)
)

// NodeStatus is a snapshot of one node of a running topology.
type NodeStatus struct {
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Op        string    `json:"op"`
	NodeKind  string    `json:"node_kind,omitempty"` // the registered kind, for nodes made by SourceKind, MapKind, SinkKind
	State     NodeState `json:"state"`
	Error     string    `json:"error,omitempty"`
	Received  int64     `json:"received"`
	Produced  int64     `json:"produced"`
	Failed    int64     `json:"failed"`
	Committed int64     `json:"committed"`
	// Lag is the records of the node's input its group has not committed,
	// as last measured (nil when unknown: sources, or no measurement yet).
	Lag      *int64    `json:"lag,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Restarts int       `json:"restarts"`
	// Workers is how many members of the node's consumer group run in
	// this process (Scale); 1 for sources.
	Workers int `json:"workers"`
}

// ErrUnknownNode is returned (wrapped) for a node name the topology lacks.
var ErrUnknownNode = errors.New("unknown node")

// ErrNotRunning is returned when a Controller is asked about a topology
// that has not started (or has ended).
var ErrNotRunning = errors.New("topology not running")

// ErrNoParams is returned (wrapped) when the parameters of a node are
// asked for that was not made from a registered kind (SourceKind, MapKind,
// SinkKind): its processor was built by code the runtime cannot repeat.
var ErrNoParams = errors.New("node not built from a registered kind: its parameters are unknown")

// ParamSetter is implemented by processors that take new values of their
// runtime parameters (Param.Runtime) while they run. SetParams gets every
// parameter, validated; it either applies all of them or none (and then
// returns an error, preferably a *ParamError). Processors without it are
// rebuilt and restarted for any parameter change.
type ParamSetter interface {
	SetParams(Params) error
}

// Reloader is implemented by processors that can reread their data or
// configuration (lookup databases, rule files) without a restart.
type Reloader interface {
	Reload(ctx context.Context) error
}

// Controller is a handle on a running topology: the control API uses it to
// see each node's status and to pause, resume, stop, start, restart and
// reconfigure nodes while the topology runs. Pass it to Run with
// WithController; it serves one Run at a time.
type Controller struct {
	mu       sync.Mutex
	t        *Topology
	cfg      *runConfig
	build    func(n *node, worker int) (*nodeRuntime, error)
	nodes    atomic.Pointer[map[string]*nodeControl]
	attached chan struct{}
	// implMu serializes changes of nodes' processors with the building of
	// node runtimes (which read them).
	implMu sync.Mutex
}

// NewController returns a Controller to pass to Run with WithController.
func NewController() *Controller {
	return &Controller{attached: make(chan struct{})}
}

// WithController lets c control the run (see Controller).
func WithController(c *Controller) RunOption {
	return func(cfg *runConfig) {
		cfg.controller = c
		cfg.hooks = append(cfg.hooks, c)
	}
}

// nodeControl is the controller's part of one node.
type nodeControl struct {
	n *node

	received, produced, failed, committed atomic.Int64
	lag                                   atomic.Int64 // -1: unknown

	mu       sync.Mutex
	state    NodeState
	err      error
	paused   bool
	resumed  chan struct{} // closed when the node is resumed
	cancel   context.CancelFunc
	done     chan struct{} // closed when the current run of the node ended
	start    chan struct{} // a stopped node waits on it
	restart  bool          // the current stop is a restart
	started  time.Time
	restarts int
	rt       *nodeRuntime // the current run

	// Further group members (Scale). wmu serializes their starting and
	// stopping; extra and workerErr are read and written under mu too.
	wmu       sync.Mutex
	workers   int             // members wanted (0: 1)
	extra     []*worker       // members 1..: running with the current run
	runCtx    context.Context // the current run's; nil between runs
	workerErr error           // the failure of a further member
}

// worker is one further member of a node's consumer group.
type worker struct {
	rt     *nodeRuntime
	cancel context.CancelFunc
	done   chan struct{}
}

type controlKey struct{}

// attach binds c to a run of t. Without a controller (c nil) it returns the
// plain way to run a node.
func (c *Controller) attach(t *Topology, cfg *runConfig, nodes []*node, build func(*node, int) (*nodeRuntime, error)) func(context.Context, *nodeRuntime) error {
	if c == nil {
		return func(ctx context.Context, rt *nodeRuntime) error { return rt.run(ctx) }
	}
	c.mu.Lock()
	c.t, c.cfg, c.build = t, cfg, build
	m := map[string]*nodeControl{}
	for _, n := range nodes {
		nc := &nodeControl{n: n, state: StatePending, start: make(chan struct{}, 1)}
		nc.lag.Store(-1)
		m[n.name] = nc
	}
	c.nodes.Store(&m)
	c.mu.Unlock()
	select {
	case <-c.attached:
	default:
		close(c.attached)
	}
	return c.runNode
}

// runNode runs one node and, when it is stopped by request, waits to run
// it again. An error of the node ends the run, as without a controller.
func (c *Controller) runNode(ctx context.Context, rt *nodeRuntime) error {
	nc := c.nc(rt.n.name)
	for {
		nctx, cancel := context.WithCancel(context.WithValue(ctx, controlKey{}, nc))
		done := make(chan struct{})
		nc.mu.Lock()
		nc.state, nc.err, nc.cancel, nc.done, nc.restart, nc.started, nc.rt = StateRunning, nil, cancel, done, false, time.Now(), rt
		nc.mu.Unlock()
		c.startWorkers(nctx, nc)
		err := rt.run(nctx)
		cancel()
		c.stopWorkers(nc)
		nc.mu.Lock()
		if err == nil && nc.workerErr != nil && ctx.Err() == nil {
			err = nc.workerErr
		}
		nc.workerErr = nil
		restart := nc.restart
		switch {
		case err != nil && ctx.Err() == nil:
			nc.state, nc.err = StateFailed, err
		default:
			nc.state = StateStopped
		}
		close(done)
		nc.mu.Unlock()
		if ctx.Err() != nil || err != nil {
			return err
		}
		if !restart {
			select {
			case <-ctx.Done():
				return nil
			case <-nc.start:
			}
		}
		for {
			c.implMu.Lock()
			rt, err = c.build(nc.n, 0)
			c.implMu.Unlock()
			if err == nil {
				break
			}
			nc.mu.Lock()
			nc.state, nc.err = StateFailed, err
			nc.mu.Unlock()
			c.cfg.logger.Error("node restart failed", "node", nc.n.name, "err", err)
			select { // wait for the next Start
			case <-ctx.Done():
				return nil
			case <-nc.start:
			}
		}
		nc.mu.Lock()
		nc.restarts++
		nc.mu.Unlock()
	}
}

// waitResumed blocks while the node of ctx is paused: a consuming node's
// input topics are paused in its consumer meanwhile, so the records stay
// in the broker. It reports false when ctx ended while waiting.
func (rt *nodeRuntime) waitResumed(ctx context.Context) bool {
	nc, ok := ctx.Value(controlKey{}).(*nodeControl)
	if !ok {
		return true
	}
	nc.mu.Lock()
	if !nc.paused {
		nc.mu.Unlock()
		return true
	}
	ch := nc.resumed
	nc.mu.Unlock()
	if topics := rt.inputTopics(); topics != nil {
		rt.consumer.Pause(topics...)
		defer rt.consumer.Resume(topics...)
	}
	select {
	case <-ctx.Done():
		return false
	case <-ch:
		return true
	}
}

// node returns the control of a node of the run.
func (c *Controller) node(name string) (*nodeControl, error) {
	m := c.nodes.Load()
	if m == nil {
		return nil, ErrNotRunning
	}
	nc, ok := (*m)[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (nodes: %v)", ErrUnknownNode, name, slices.Sorted(maps.Keys(*m)))
	}
	return nc, nil
}

// Topology returns the topology c controls, nil before Run started.
func (c *Controller) Topology() *Topology {
	select {
	case <-c.attached:
	default:
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Nodes returns the names of the nodes this run runs, in declaration order.
func (c *Controller) Nodes() []string {
	t := c.Topology()
	if t == nil {
		return nil
	}
	var out []string
	for _, n := range t.nodes {
		if c.nc(n.name) != nil {
			out = append(out, n.name)
		}
	}
	return out
}

// Ready reports whether the run started and every node runs (paused
// counts as running).
func (c *Controller) Ready() bool {
	names := c.Nodes()
	if len(names) == 0 {
		return false
	}
	for _, name := range names {
		st, err := c.Status(name)
		if err != nil || (st.State != StateRunning && st.State != StatePaused) {
			return false
		}
	}
	return true
}

// Status returns the status of a node.
func (c *Controller) Status(name string) (NodeStatus, error) {
	nc, err := c.node(name)
	if err != nil {
		return NodeStatus{}, err
	}
	st := NodeStatus{Name: name, Kind: nc.n.kind, Op: nc.n.op.String(),
		Received: nc.received.Load(), Produced: nc.produced.Load(), Failed: nc.failed.Load(), Committed: nc.committed.Load()}
	if lag := nc.lag.Load(); lag >= 0 {
		st.Lag = &lag
	}
	if cf := nc.n.opts.configured; cf != nil {
		st.NodeKind = cf.reg.Spec.Name
	}
	nc.mu.Lock()
	defer nc.mu.Unlock()
	st.State, st.Started, st.Restarts, st.Workers = nc.state, nc.started, nc.restarts, max(nc.workers, 1)
	if nc.err != nil {
		st.Error = nc.err.Error()
	}
	if st.State == StateRunning && nc.paused {
		st.State = StatePaused
	}
	return st, nil
}

// inputTopics returns the topics of a consuming node's consumer (nil for
// sources and transactional sessions, which cannot pause topics).
func (rt *nodeRuntime) inputTopics() []string {
	if rt == nil || rt.consumer == nil {
		return nil
	}
	var topics []string
	for _, in := range rt.n.inputs {
		topics = append(topics, rt.t.outputTopic(in.n, in.branch))
	}
	return topics
}

// Pause makes a node stop polling (a collector: stop emitting) until
// Resume; what arrives meanwhile stays in the broker. The batch in hand is
// finished first.
func (c *Controller) Pause(name string) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if !nc.paused {
		nc.paused, nc.resumed = true, make(chan struct{})
		// A poll under way returns no more records of the topics.
		if topics := nc.rt.inputTopics(); topics != nil {
			nc.rt.consumer.Pause(topics...)
		}
		for _, w := range nc.extra {
			if topics := w.rt.inputTopics(); topics != nil {
				w.rt.consumer.Pause(topics...)
			}
		}
	}
	return nil
}

// Resume lets a paused node poll again: it drains what piled up.
func (c *Controller) Resume(name string) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if nc.paused {
		nc.paused = false
		close(nc.resumed)
		if topics := nc.rt.inputTopics(); topics != nil {
			nc.rt.consumer.Resume(topics...)
		}
		for _, w := range nc.extra {
			if topics := w.rt.inputTopics(); topics != nil {
				w.rt.consumer.Resume(topics...)
			}
		}
	}
	return nil
}

// Stop stops a node: it finishes and commits its batch and leaves its
// consumer group; its input piles up in the broker until Start. Stop waits
// until the node stopped or ctx ends.
func (c *Controller) Stop(ctx context.Context, name string) error {
	return c.stop(ctx, name, false)
}

func (c *Controller) stop(ctx context.Context, name string, restart bool) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	nc.mu.Lock()
	if nc.state != StateRunning {
		state := nc.state
		nc.mu.Unlock()
		if restart && (state == StateStopped || state == StateFailed) {
			return c.Start(name)
		}
		if restart {
			return fmt.Errorf("node %s is %s", name, state)
		}
		return nil
	}
	nc.restart = restart
	cancel, done := nc.cancel, nc.done
	nc.mu.Unlock()
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Start runs a stopped node again (from its group's committed offsets).
// Starting a running node does nothing.
func (c *Controller) Start(name string) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	nc.mu.Lock()
	state := nc.state
	nc.mu.Unlock()
	if state != StateStopped && state != StateFailed {
		return nil
	}
	select {
	case nc.start <- struct{}{}:
	default:
	}
	return nil
}

// Restart stops a node and starts it again at once, with new clients.
func (c *Controller) Restart(ctx context.Context, name string) error {
	if err := c.stop(ctx, name, true); err != nil {
		return err
	}
	return c.waitRunning(ctx, name)
}

// waitRunning waits until the node runs again after a restart.
func (c *Controller) waitRunning(ctx context.Context, name string) error {
	for {
		st, err := c.Status(name)
		if err != nil {
			return err
		}
		switch st.State {
		case StateRunning, StatePaused:
			return nil
		case StateFailed:
			return fmt.Errorf("node %s: %s", name, st.Error)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// configured is what SourceKind, MapKind and SinkKind remember of a node:
// its registered kind and current parameters.
type configured struct {
	mu     sync.Mutex
	reg    *Registration
	raw    map[string]any // as given (merged over changes)
	params Params         // validated, with defaults
	proc   any            // the processor the node runs
}

// ParamsOf returns the spec and current parameters of a node made from a
// registered kind.
func (c *Controller) ParamsOf(name string) (Spec, Params, error) {
	nc, err := c.node(name)
	if err != nil {
		return Spec{}, nil, err
	}
	cf := nc.n.opts.configured
	if cf == nil {
		return Spec{}, nil, fmt.Errorf("node %s: %w", name, ErrNoParams)
	}
	cf.mu.Lock()
	defer cf.mu.Unlock()
	return cf.reg.Spec, maps.Clone(cf.params), nil
}

// ParamChange says how SetParams applied a change.
type ParamChange string

// The ways a parameter change is applied.
const (
	ParamsUnchanged ParamChange = "unchanged" // the values were the current ones
	ParamsApplied   ParamChange = "applied"   // runtime parameters, given to the running processor
	ParamsRestarted ParamChange = "restarted" // the node was rebuilt and restarted
)

// SetParams changes parameters of a node made from a registered kind.
// The new values are validated first (a *ParamError names the parameter;
// nothing changes on error). Changes of runtime parameters (Param.Runtime)
// go to a processor that implements ParamSetter while it runs; any other
// change rebuilds the processor and restarts the node, which finishes and
// commits its batch first, so no record is lost.
func (c *Controller) SetParams(ctx context.Context, name string, raw map[string]any) (ParamChange, error) {
	nc, err := c.node(name)
	if err != nil {
		return "", err
	}
	cf := nc.n.opts.configured
	if cf == nil {
		return "", fmt.Errorf("node %s: %w", name, ErrNoParams)
	}
	cf.mu.Lock()
	defer cf.mu.Unlock()
	spec := cf.reg.Spec
	merged := maps.Clone(cf.raw)
	if merged == nil {
		merged = map[string]any{}
	}
	maps.Copy(merged, raw)
	next, err := spec.Validate(merged)
	if err != nil {
		return "", nodeParamError(name, err)
	}
	var changed []string
	for k, v := range next {
		if old, ok := cf.params[k]; !ok || !reflect.DeepEqual(old, v) {
			changed = append(changed, k)
		}
	}
	for k := range cf.params {
		if _, ok := next[k]; !ok {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		cf.raw = merged
		return ParamsUnchanged, nil
	}
	runtime := !spec.ParamsByFactory
	for _, k := range changed {
		i := slices.IndexFunc(spec.Params, func(p Param) bool { return p.Name == k })
		if i < 0 || !spec.Params[i].Runtime {
			runtime = false
		}
	}
	if setter, ok := cf.proc.(ParamSetter); ok && runtime {
		if err := setter.SetParams(maps.Clone(next)); err != nil {
			return "", nodeParamError(name, err)
		}
		cf.raw, cf.params = merged, next
		return ParamsApplied, nil
	}
	proc, err := cf.reg.New(maps.Clone(next))
	if err != nil {
		return "", nodeParamError(name, err)
	}
	if err := c.replace(ctx, nc, proc); err != nil {
		return "", err
	}
	cf.raw, cf.params, cf.proc = merged, next, proc
	return ParamsRestarted, nil
}

// Reload makes a node reread its data: a processor that implements
// Reloader reloads in place; a node made from a registered kind is rebuilt
// from its parameters and restarted; any other node is restarted.
func (c *Controller) Reload(ctx context.Context, name string) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	cf := nc.n.opts.configured
	var proc any
	if cf != nil {
		cf.mu.Lock()
		defer cf.mu.Unlock()
		proc = cf.proc
	} else {
		c.implMu.Lock()
		proc = implProcessor(nc.n.impl)
		c.implMu.Unlock()
	}
	if r, ok := proc.(Reloader); ok {
		return r.Reload(ctx)
	}
	if cf == nil {
		return c.Restart(ctx, name)
	}
	fresh, err := cf.reg.New(maps.Clone(cf.params))
	if err != nil {
		return nodeParamError(name, err)
	}
	if err := c.replace(ctx, nc, fresh); err != nil {
		return err
	}
	cf.proc = fresh
	return nil
}

// replace runs the node with processor proc: stopped, swapped, started.
func (c *Controller) replace(ctx context.Context, nc *nodeControl, proc any) error {
	c.implMu.Lock()
	impl, err := rebuildImpl(nc.n.impl, proc)
	c.implMu.Unlock()
	if err != nil {
		return fmt.Errorf("node %s: %w", nc.n.name, err)
	}
	nc.mu.Lock()
	running := nc.state == StateRunning
	nc.mu.Unlock()
	if running {
		// Stop first and swap while nothing runs the node; the restart
		// flag is set after the swap so the loop rebuilds with the new
		// processor.
		if err := c.Stop(ctx, nc.n.name); err != nil {
			return err
		}
	}
	c.implMu.Lock()
	old := implProcessor(nc.n.impl)
	nc.n.impl = impl
	c.implMu.Unlock()
	if cl, ok := old.(io.Closer); ok && old != proc {
		// Run closes the processors it ends with; the replaced one is ours.
		if err := cl.Close(); err != nil {
			c.cfg.logger.Warn("closing the replaced processor", "node", nc.n.name, "err", err)
		}
	}
	if running {
		if err := c.Start(nc.n.name); err != nil {
			return err
		}
		return c.waitRunning(ctx, nc.n.name)
	}
	return nil
}

// ErrBadParams is wrapped by errors of node factories that refuse
// parameter values without a *ParamError.
var ErrBadParams = errors.New("bad parameters")

// nodeParamError names the node in err's ParamError (a spec's names the
// kind, a factory's none).
func nodeParamError(node string, err error) error {
	var pe *ParamError
	if !errors.As(err, &pe) {
		return fmt.Errorf("node %s: %w: %w", node, ErrBadParams, err)
	}
	if pe.Node == node {
		return err
	}
	if err == error(pe) {
		cp := *pe
		cp.Node = node
		return &cp
	}
	return fmt.Errorf("node %s: %w", node, err)
}

// DumpState reads the tables of a node as Topology.DumpState does, with
// the run's transport.
func (c *Controller) DumpState(ctx context.Context, name string, fn func(StateEntry) error) error {
	if _, err := c.node(name); err != nil {
		return err
	}
	c.mu.Lock()
	t, tr := c.t, c.cfg.transport
	c.mu.Unlock()
	c.implMu.Lock() // DumpState reads the node's processor for its tables
	defer c.implMu.Unlock()
	return t.DumpState(ctx, tr, name, fn)
}

// DeadLetterCount returns how many records the node's dead-letter topic
// holds (read from the broker, so it counts earlier runs too) and its name.
func (c *Controller) DeadLetterCount(ctx context.Context, name string) (string, int64, error) {
	nc, err := c.node(name)
	if err != nil {
		return "", 0, err
	}
	c.mu.Lock()
	t, tr := c.t, c.cfg.transport
	c.mu.Unlock()
	topic := t.dlqTopic(nc.n)
	reader, ok := tr.(transport.PartitionReader)
	if !ok {
		return topic, 0, errors.New("the transport cannot read partitions")
	}
	parts, err := reader.PartitionCount(ctx, topic)
	if err != nil {
		return topic, 0, err
	}
	var count int64
	for p := range parts {
		if _, err := reader.ReadPartition(ctx, topic, p, 0, func(*transport.Record) error { count++; return nil }); err != nil {
			return topic, 0, err
		}
	}
	return topic, count, nil
}

// Transport returns the transport and registry of the run.
func (c *Controller) Transport() (transport.Transport, *schemas.Registry) {
	if c.Topology() == nil {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg.transport, c.cfg.registry
}

// The controller counts what nodes do with hooks.

func (c *Controller) nc(name string) *nodeControl {
	if m := c.nodes.Load(); m != nil {
		return (*m)[name]
	}
	return nil
}

// OnRecordReceived implements HookRecordReceived.
func (c *Controller) OnRecordReceived(node string, _ *transport.Record) {
	if nc := c.nc(node); nc != nil {
		nc.received.Add(1)
	}
}

// OnRecordProduced implements HookRecordProduced.
func (c *Controller) OnRecordProduced(node string, _ *transport.Record) {
	if nc := c.nc(node); nc != nil {
		nc.produced.Add(1)
	}
}

// OnRecordFailed implements HookRecordFailed.
func (c *Controller) OnRecordFailed(node string, _ *transport.Record, _ error) {
	if nc := c.nc(node); nc != nil {
		nc.failed.Add(1)
	}
}

// OnCommitted implements HookCommitted.
func (c *Controller) OnCommitted(node string, n int) {
	if nc := c.nc(node); nc != nil {
		nc.committed.Add(int64(n))
	}
}

// OnLag implements HookLag.
func (c *Controller) OnLag(node string, lag int64) {
	if nc := c.nc(node); nc != nil {
		nc.lag.Store(lag)
	}
}

// SourceKind adds a collector node of a registered kind (see Register),
// built from raw parameters; a Controller can read and change them while
// the topology runs. A bad kind or parameter is reported by Validate.
func SourceKind[T Record](t *Topology, name, kind string, raw map[string]any, opts ...NodeOption) Stream[T] {
	cf, proc, err := newConfigured(name, kind, raw)
	c, ok := proc.(Collector[T])
	if err == nil && !ok {
		err = fmt.Errorf("node %q: kind %s makes %T, not a collector of %ss", name, kind, proc, typeName[T]())
	}
	if err != nil {
		t.errs = append(t.errs, err)
		c = CollectorFunc[T](func(context.Context, func(*T) error) error { return err })
	}
	return Source(t, name, c, append(opts, withConfigured(cf))...)
}

// MapKind adds a processing node (a Processor or BatchProcessor) of a
// registered kind, built from raw parameters; see SourceKind.
func MapKind[In, Out Record](t *Topology, name string, in Stream[In], kind string, raw map[string]any, opts ...NodeOption) Stream[Out] {
	cf, proc, err := newConfigured(name, kind, raw)
	opts = append(opts, withConfigured(cf))
	if err == nil {
		if b, ok := proc.(BatchProcessor[In, Out]); ok {
			if _, single := proc.(Processor[In, Out]); !single {
				return MapBatch(t, name, in, b, opts...)
			}
		}
		if _, ok := proc.(Processor[In, Out]); !ok {
			err = fmt.Errorf("node %q: kind %s makes %T, not a processor of %ss into %ss", name, kind, proc, typeName[In](), typeName[Out]())
		}
	}
	if err != nil {
		t.errs = append(t.errs, err)
		proc = ProcessorFunc[In, Out](func(context.Context, *In, func(*Out)) error { return err })
	}
	return Map(t, name, in, proc.(Processor[In, Out]), opts...)
}

// SinkKind adds an output node of a registered kind, built from raw
// parameters; see SourceKind.
func SinkKind[T Record](t *Topology, name string, in Stream[T], kind string, raw map[string]any, opts ...NodeOption) {
	cf, proc, err := newConfigured(name, kind, raw)
	o, ok := proc.(Output[T])
	if err == nil && !ok {
		err = fmt.Errorf("node %q: kind %s makes %T, not an output of %ss", name, kind, proc, typeName[T]())
	}
	if err != nil {
		t.errs = append(t.errs, err)
		o = OutputFunc[T](func(context.Context, []*T) error { return err })
	}
	Sink(t, name, in, o, append(opts, withConfigured(cf))...)
}

// withConfigured remembers cf in the node and declares the fields of the
// kind's spec (unless the processor carries its spec itself).
func withConfigured(cf *configured) NodeOption {
	return func(o *nodeOptions) {
		o.configured = cf
		if cf == nil {
			return
		}
		if _, specced := cf.proc.(Specced); !specced {
			o.requires = append(o.requires, cf.reg.Spec.Requires...)
			o.produces = append(o.produces, cf.reg.Spec.Produces...)
		}
	}
}

func newConfigured(name, kind string, raw map[string]any) (*configured, any, error) {
	reg, ok := Lookup(kind)
	if !ok {
		return nil, nil, fmt.Errorf("node %q: no node kind %q is registered", name, kind)
	}
	params, err := reg.Spec.Validate(raw)
	if err != nil {
		return nil, nil, nodeParamError(name, err)
	}
	proc, err := reg.New(maps.Clone(params))
	if err != nil {
		return nil, nil, nodeParamError(name, err)
	}
	return &configured{reg: reg, raw: maps.Clone(raw), params: params, proc: proc}, proc, nil
}

// implProcessor returns the user's processor inside a node's impl.
func implProcessor(impl any) any {
	if p, ok := impl.(interface{ processor() any }); ok {
		return p.processor()
	}
	return nil
}

// rebuildImpl returns impl's kind of node loop around processor proc.
func rebuildImpl(impl, proc any) (any, error) {
	switch impl.(type) {
	case sourceImpl[dho.Report]:
		return asSource[dho.Report](proc)
	case sourceImpl[dho.Event]:
		return asSource[dho.Event](proc)
	case mapImpl[dho.Report, dho.Event]:
		return asMap[dho.Report, dho.Event](proc)
	case mapImpl[dho.Event, dho.Event]:
		return asMap[dho.Event, dho.Event](proc)
	case mapImpl[dho.Report, dho.Report]:
		return asMap[dho.Report, dho.Report](proc)
	case mapImpl[dho.Event, dho.Report]:
		return asMap[dho.Event, dho.Report](proc)
	case sinkImpl[dho.Event]:
		return asSink[dho.Event](proc)
	case sinkImpl[dho.Report]:
		return asSink[dho.Report](proc)
	}
	return nil, fmt.Errorf("a %T node cannot change its processor", impl)
}

func asSource[T Record](proc any) (any, error) {
	if c, ok := proc.(Collector[T]); ok {
		return sourceImpl[T]{c}, nil
	}
	return nil, fmt.Errorf("%T is not a collector of %ss", proc, typeName[T]())
}

func asMap[In, Out Record](proc any) (any, error) {
	if p, ok := proc.(Processor[In, Out]); ok {
		return mapImpl[In, Out]{p: p}, nil
	}
	if b, ok := proc.(BatchProcessor[In, Out]); ok {
		return mapImpl[In, Out]{b: b}, nil
	}
	return nil, fmt.Errorf("%T is not a processor of %ss into %ss", proc, typeName[In](), typeName[Out]())
}

func asSink[T Record](proc any) (any, error) {
	if o, ok := proc.(Output[T]); ok {
		return sinkImpl[T]{o}, nil
	}
	return nil, fmt.Errorf("%T is not an output of %ss", proc, typeName[T]())
}

// ErrNodeRunning is returned (wrapped) when an operation needs the node
// stopped first (Stop).
var ErrNodeRunning = errors.New("node is running: stop it first")

// ExportState writes a node's state as ExportState does, with the run's
// transport. Stop the node first for a consistent copy.
func (c *Controller) ExportState(ctx context.Context, name string, w io.Writer) error {
	if _, err := c.node(name); err != nil {
		return err
	}
	c.mu.Lock()
	t, tr := c.t, c.cfg.transport
	c.mu.Unlock()
	c.implMu.Lock() // reads the node's processor for its tables
	defer c.implMu.Unlock()
	return ExportState(ctx, tr, t, name, w)
}

// ImportState loads a state written by ExportState into the node's
// changelogs and consumer group, as ImportState does, with the run's
// transport. The node must be stopped (Stop; else an error wrapping
// ErrNodeRunning); Start restores its tables from the imported state.
func (c *Controller) ImportState(ctx context.Context, name string, r io.Reader) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	nc.mu.Lock()
	state := nc.state
	nc.mu.Unlock()
	if state != StateStopped && state != StateFailed {
		return fmt.Errorf("node %s is %s: %w", name, state, ErrNodeRunning)
	}
	c.mu.Lock()
	t, tr := c.t, c.cfg.transport
	c.mu.Unlock()
	c.implMu.Lock()
	defer c.implMu.Unlock()
	return ImportState(ctx, tr, t, name, r)
}

// Scale runs n members of a consuming node's consumer group in this
// process (each with its own consumer and producer, so the group spreads
// the input partitions over them), starting or stopping the further
// members at once when the node runs, or when it starts next. A member
// that stops finishes and commits its batch first, so nothing is lost.
// n must be between 1 and the partitions of the node's input topics
// (members beyond them would get none). A node with tables scales only
// when the run keeps its state in memory (WithMemoryState): the LevelDB
// stores on disk are per node and partition, and a rebalance between
// members of one process would have two of them open one store (LevelDB
// locks it). Sources are no group members and do not scale.
func (c *Controller) Scale(ctx context.Context, name string, n int) error {
	nc, err := c.node(name)
	if err != nil {
		return err
	}
	if nc.n.op == opSource {
		return fmt.Errorf("node %s is a source, not a consumer group member: it does not scale: %w", name, ErrBadWorkers)
	}
	if n < 1 {
		return fmt.Errorf("node %s: %d workers: at least 1: %w", name, n, ErrBadWorkers)
	}
	c.mu.Lock()
	t, cfg := c.t, c.cfg
	c.mu.Unlock()
	reader, ok := cfg.transport.(transport.PartitionReader)
	if !ok {
		return fmt.Errorf("node %s: the transport cannot tell the input's partitions", name)
	}
	var parts int32
	for _, topic := range t.inputTopicsOf(nc.n) {
		p, err := reader.PartitionCount(ctx, topic)
		if err != nil {
			return fmt.Errorf("node %s: partitions of %s: %w", name, topic, err)
		}
		parts += p
	}
	if int32(n) > parts {
		return fmt.Errorf("node %s: %d workers, but its input has %d partitions (more members would get none): %w", name, n, parts, ErrBadWorkers)
	}
	c.implMu.Lock()
	tables := len(nc.n.tables())
	c.implMu.Unlock()
	if tables > 0 && !cfg.memoryState && n > 1 {
		return fmt.Errorf("node %s keeps tables in LevelDB stores on disk, one per partition: members of one process would race for a store's file lock when partitions move between them; run with memory state (WithMemoryState, --memory-state) or scale with processes of their own state directory: %w", name, ErrBadWorkers)
	}
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	nc.mu.Lock()
	nc.workers = n
	nc.mu.Unlock()
	return c.adjustWorkers(nc)
}

// ErrBadWorkers is returned (wrapped) for a worker count Scale refuses.
var ErrBadWorkers = errors.New("bad worker count")

// startWorkers starts the further members of a run of the node (with
// wmu not held).
func (c *Controller) startWorkers(ctx context.Context, nc *nodeControl) {
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	nc.mu.Lock()
	nc.runCtx = ctx
	nc.mu.Unlock()
	if err := c.adjustWorkers(nc); err != nil {
		c.cfg.logger.Error("starting the node's further workers", "node", nc.n.name, "err", err)
	}
}

// stopWorkers stops the further members when the run of the node ends.
func (c *Controller) stopWorkers(nc *nodeControl) {
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	nc.mu.Lock()
	nc.runCtx = nil
	nc.mu.Unlock()
	_ = c.adjustWorkers(nc)
}

// adjustWorkers starts or stops further members until the node runs as
// many as it should (none between runs). It holds nc.wmu.
func (c *Controller) adjustWorkers(nc *nodeControl) error {
	nc.mu.Lock()
	ctx, want := nc.runCtx, max(nc.workers, 1)-1
	nc.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		want = 0
	}
	for len(nc.extra) > want {
		w := nc.extra[len(nc.extra)-1]
		w.cancel()
		<-w.done
		nc.mu.Lock()
		nc.extra = nc.extra[:len(nc.extra)-1]
		nc.mu.Unlock()
	}
	for len(nc.extra) < want {
		c.implMu.Lock()
		rt, err := c.build(nc.n, len(nc.extra)+1)
		c.implMu.Unlock()
		if err != nil {
			nc.mu.Lock()
			nc.workers = len(nc.extra) + 1
			nc.mu.Unlock()
			return fmt.Errorf("node %s: worker %d: %w", nc.n.name, len(nc.extra)+1, err)
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &worker{rt: rt, cancel: cancel, done: make(chan struct{})}
		nc.mu.Lock()
		paused := nc.paused
		nc.extra = append(nc.extra, w)
		nc.mu.Unlock()
		if topics := rt.inputTopics(); paused && topics != nil {
			rt.consumer.Pause(topics...)
		}
		go func() {
			defer close(w.done)
			err := rt.run(wctx)
			if err != nil && wctx.Err() == nil {
				// A member's failure is the node's: it ends the run.
				nc.mu.Lock()
				if nc.workerErr == nil {
					nc.workerErr = fmt.Errorf("worker %d: %w", rt.worker, err)
				}
				stop := nc.cancel
				nc.mu.Unlock()
				stop()
			}
		}()
	}
	return nil
}
