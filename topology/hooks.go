package topology

import (
	"time"

	"github.com/intelstream/intelstream/transport"
)

// Hooks let users observe a running topology without changing it: custom
// monitoring, auditing, tracing. A hook is any value that implements one or
// more of the Hook* interfaces below, as with franz-go's hooks; pass hooks
// with WithHooks. Hooks are called synchronously from the node's goroutine,
// so they must be quick and safe for concurrent use (nodes run in
// parallel). The Prometheus metrics are themselves a hook.
type Hook any

// HookNodeStarted is called when a node starts.
type HookNodeStarted interface {
	OnNodeStarted(node string)
}

// HookNodeStopped is called when a node stops; err is nil on a clean stop.
type HookNodeStopped interface {
	OnNodeStopped(node string, err error)
}

// HookRecordReceived is called for every record a node fetched.
type HookRecordReceived interface {
	OnRecordReceived(node string, r *transport.Record)
}

// HookRecordProcessed is called after a node processed a record, with the
// number of records it emitted and the time it took.
type HookRecordProcessed interface {
	OnRecordProcessed(node string, r *transport.Record, outputs int, took time.Duration)
}

// HookRecordProduced is called when the broker acknowledged a record a node
// produced.
type HookRecordProduced interface {
	OnRecordProduced(node string, r *transport.Record)
}

// HookRecordFailed is called when a record goes to the dead-letter topic.
type HookRecordFailed interface {
	OnRecordFailed(node string, r *transport.Record, reason error)
}

// HookCommitted is called after a node committed the offsets of n records.
type HookCommitted interface {
	OnCommitted(node string, n int)
}

// HookLag is called every lag interval (see WithLagInterval) with how
// many records a consuming node's group has not committed yet, when the
// transport can tell (transport.LagReader).
type HookLag interface {
	OnLag(node string, lag int64)
}

// hookSet dispatches to the hooks that implement each interface.
type hookSet struct {
	started   []HookNodeStarted
	stopped   []HookNodeStopped
	received  []HookRecordReceived
	processed []HookRecordProcessed
	produced  []HookRecordProduced
	failed    []HookRecordFailed
	committed []HookCommitted
	lag       []HookLag
}

func newHookSet(hooks []Hook) *hookSet {
	s := &hookSet{}
	for _, h := range hooks {
		if x, ok := h.(HookNodeStarted); ok {
			s.started = append(s.started, x)
		}
		if x, ok := h.(HookNodeStopped); ok {
			s.stopped = append(s.stopped, x)
		}
		if x, ok := h.(HookRecordReceived); ok {
			s.received = append(s.received, x)
		}
		if x, ok := h.(HookRecordProcessed); ok {
			s.processed = append(s.processed, x)
		}
		if x, ok := h.(HookRecordProduced); ok {
			s.produced = append(s.produced, x)
		}
		if x, ok := h.(HookRecordFailed); ok {
			s.failed = append(s.failed, x)
		}
		if x, ok := h.(HookCommitted); ok {
			s.committed = append(s.committed, x)
		}
		if x, ok := h.(HookLag); ok {
			s.lag = append(s.lag, x)
		}
	}
	return s
}
