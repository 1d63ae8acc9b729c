package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
)

// DefaultRegistryTopic is the compacted topic nodes announce themselves on.
const DefaultRegistryTopic = "intelstream.nodes"

// Announcement is what a node publishes about itself on the registry
// topic when it starts (keyed topology/node; a tombstone when it stops).
type Announcement struct {
	Topology     string    `json:"topology"`
	Node         string    `json:"node"`
	Kind         string    `json:"kind"`
	NodeKind     string    `json:"node_kind,omitempty"`
	Version      string    `json:"version,omitempty"`
	Contact      string    `json:"contact,omitempty"`
	API          string    `json:"api,omitempty"`
	InputTopics  []string  `json:"input_topics,omitempty"`
	OutputTopics []string  `json:"output_topics,omitempty"`
	Time         time.Time `json:"time"`
}

// Announcer is a topology hook that announces every node on the registry
// topic when it starts and removes it (a tombstone) when it stops.
type Announcer struct {
	topic    string
	base     Announcement
	nodes    map[string]topology.NodeDescription
	producer transport.Producer
	log      *slog.Logger
	mu       sync.Mutex
	err      error
}

// NewAnnouncer creates the compacted registry topic if needed and returns
// the hook for t. api is the address of this process's control API,
// contact whom to ask about the nodes.
func NewAnnouncer(ctx context.Context, t *topology.Topology, tr transport.Transport, topic, api, contact, version string) (*Announcer, error) {
	if topic == "" {
		topic = DefaultRegistryTopic
	}
	if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: topic, Partitions: 1, ReplicationFactor: 1,
		Config: map[string]string{"cleanup.policy": "compact"}}); err != nil {
		return nil, fmt.Errorf("registry topic %s: %w", topic, err)
	}
	p, err := tr.NewProducer(transport.ProducerOptions{ID: t.Name() + ".announcer"})
	if err != nil {
		return nil, err
	}
	a := &Announcer{topic: topic, producer: p, log: slog.Default(), nodes: map[string]topology.NodeDescription{},
		base: Announcement{Topology: t.Name(), API: api, Contact: contact, Version: version}}
	for _, nd := range t.Describe().Nodes {
		a.nodes[nd.Name] = nd
	}
	return a, nil
}

func (a *Announcer) key(node string) []byte { return []byte(a.base.Topology + "/" + node) }

func (a *Announcer) done(_ *transport.Record, err error) {
	if err != nil {
		a.mu.Lock()
		a.err = err
		a.mu.Unlock()
		a.log.Warn("announcing a node", "topic", a.topic, "err", err)
	}
}

// OnNodeStarted implements topology.HookNodeStarted.
func (a *Announcer) OnNodeStarted(node string) {
	nd := a.nodes[node]
	ann := a.base
	ann.Node, ann.Kind, ann.NodeKind, ann.Time = node, string(nd.Kind), nd.Spec, time.Now().UTC()
	ann.InputTopics, ann.OutputTopics = nd.InputTopics, nd.OutputTopics
	b, err := json.Marshal(ann)
	if err != nil {
		return
	}
	a.producer.Produce(context.Background(), &transport.Record{Topic: a.topic, Key: a.key(node), Value: b}, a.done)
}

// OnNodeStopped implements topology.HookNodeStopped: a tombstone.
func (a *Announcer) OnNodeStopped(node string, _ error) {
	a.producer.Produce(context.Background(), &transport.Record{Topic: a.topic, Key: a.key(node)}, a.done)
}

// Close flushes the announcements and releases the producer.
func (a *Announcer) Close() error {
	err := a.producer.Close()
	a.mu.Lock()
	defer a.mu.Unlock()
	return errors.Join(err, a.err)
}

// Discover reads the registry topic: the nodes announced and not gone,
// by topology and node.
func Discover(ctx context.Context, tr transport.Transport, topic string) ([]Announcement, error) {
	if topic == "" {
		topic = DefaultRegistryTopic
	}
	reader, ok := tr.(transport.PartitionReader)
	if !ok {
		return nil, errors.New("the transport cannot read partitions")
	}
	parts, err := reader.PartitionCount(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("registry topic %s: %w", topic, err)
	}
	live := map[string]Announcement{}
	for p := range parts {
		if _, err := reader.ReadPartition(ctx, topic, p, 0, func(r *transport.Record) error {
			if r.Value == nil {
				delete(live, string(r.Key))
				return nil
			}
			var a Announcement
			if err := json.Unmarshal(r.Value, &a); err != nil {
				return nil // not ours: skip
			}
			live[string(r.Key)] = a
			return nil
		}); err != nil {
			return nil, err
		}
	}
	out := make([]Announcement, 0, len(live))
	for _, a := range live {
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y Announcement) int {
		if x.Topology != y.Topology {
			return strings.Compare(x.Topology, y.Topology)
		}
		return strings.Compare(x.Node, y.Node)
	})
	return out, nil
}

// Discovery lists, at /api/v1/discovery, the nodes announced on topic
// (DefaultRegistryTopic if empty) of the broker tr connects to.
func Discovery(tr transport.Transport, topic string) Option {
	return func(s *Server) error {
		s.nodes = func(ctx context.Context) ([]Announcement, error) { return Discover(ctx, tr, topic) }
		return nil
	}
}
