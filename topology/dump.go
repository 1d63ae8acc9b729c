package topology

import (
	"context"
	"fmt"
	"slices"

	"github.com/intelstream/intelstream/transport"
)

// StateEntry is one entry of a node's table, as DumpState reads it.
type StateEntry struct {
	Table     string `json:"table"`
	Partition int32  `json:"partition"`
	Key       any    `json:"key"`
	Value     any    `json:"value"`
}

// DumpState reads the tables of the named node from their changelog
// topics (so it needs no access to the node's local store, and works while
// the node runs elsewhere) and calls fn with each live entry, table by
// table, partition by partition, in key order.
func (t *Topology) DumpState(ctx context.Context, tr transport.Transport, nodeName string, fn func(StateEntry) error) error {
	n, ok := t.index[nodeName]
	if !ok {
		return fmt.Errorf("topology %s has no node %q (nodes: %v)", t.name, nodeName, t.Nodes())
	}
	tables := n.tables()
	if len(tables) == 0 {
		return fmt.Errorf("node %s keeps no tables", nodeName)
	}
	reader, err := partitionReader(tr)
	if err != nil {
		return err
	}
	for _, tb := range tables {
		topic := t.changelogTopic(n, tb.TableName())
		parts, err := reader.PartitionCount(ctx, topic)
		if err != nil {
			return err
		}
		for p := range parts {
			live, err := readLive(ctx, reader, topic, p)
			if err != nil {
				return err
			}
			keys := make([]string, 0, len(live))
			for k := range live {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				key, value, err := tb.dump([]byte(k), live[k])
				if err != nil {
					return err
				}
				if err := fn(StateEntry{Table: tb.TableName(), Partition: p, Key: key, Value: value}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
