package topology

import "time"

// NodeOption configures one node.
type NodeOption func(*nodeOptions)

type nodeOptions struct {
	requires, produces []string
	partitions         int32
	topic              string
	maxInFlight        int
	batchSize          int
	batchWait          time.Duration
	retries            int
	retryBackoff       time.Duration
	key                any // func(*T) []byte of the node's output type
	tables             []TableRef
	tick               time.Duration
	configured         *configured // SourceKind, MapKind, SinkKind (control.go)
}

// Tables binds tables to the node (in addition to those its processor
// declares with a Tables method); see Table.
func Tables(tables ...TableRef) NodeOption {
	return func(o *nodeOptions) { o.tables = append(o.tables, tables...) }
}

// TickEvery sets how often a node with tables calls its processor's Tick
// (default 1s); a node without records waits at most this long.
func TickEvery(d time.Duration) NodeOption { return func(o *nodeOptions) { o.tick = d } }

// Requires declares DHO fields the node needs in its input, in addition to
// those of its spec.
func Requires(fields ...string) NodeOption {
	return func(o *nodeOptions) { o.requires = append(o.requires, fields...) }
}

// Produces declares DHO fields the node adds, in addition to its spec's.
func Produces(fields ...string) NodeOption {
	return func(o *nodeOptions) { o.produces = append(o.produces, fields...) }
}

// Partitions sets the partition count of the node's output topic (the
// default comes from the run's options).
func Partitions(n int32) NodeOption { return func(o *nodeOptions) { o.partitions = n } }

// Topic names the node's output topic instead of "<topology>.<node>".
func Topic(name string) NodeOption { return func(o *nodeOptions) { o.topic = name } }

// MaxInFlight bounds the records the node holds at once, fetched but not yet
// committed (default 1000): when reached, the node stops fetching, so its
// memory stays bounded whatever the backlog.
func MaxInFlight(n int) NodeOption { return func(o *nodeOptions) { o.maxInFlight = n } }

// Batch sets how many records an output or batch processor gets at once
// at most, and how long it waits to fill a batch once a first record came
// (defaults DefaultBatchSize and DefaultBatchWait; a wait of 0 takes what
// one poll brings). The node's MaxInFlight grows to size when smaller. A
// batch is written and committed before the next is gathered.
func Batch(size int, wait time.Duration) NodeOption {
	return func(o *nodeOptions) { o.batchSize, o.batchWait = size, wait }
}

// Retries sets how often a transient failure is retried, with exponential
// backoff from backoff, before the record goes to the dead-letter topic
// (defaults 5 and 100ms).
func Retries(n int, backoff time.Duration) NodeOption {
	return func(o *nodeOptions) { o.retries, o.retryBackoff = n, backoff }
}

// KeyBy sets how the node keys its output records (which decides their
// partition, so records with the same key meet in the same instance of the
// next node). key must be a func(*dho.Event) []byte or func(*dho.Report)
// []byte matching the node's output. The default keeps the input's key;
// collectors key reports by feed name and parsers key events by source IP.
func KeyBy(key any) NodeOption { return func(o *nodeOptions) { o.key = key } }
