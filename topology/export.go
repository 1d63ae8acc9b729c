package topology

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/intelstream/intelstream/transport"
)

// StateFormat and StateFormatVersion name the format ExportState writes.
const (
	StateFormat        = "intelstream-state"
	StateFormatVersion = 1
)

// ErrBadStateFile is wrapped by ImportState's errors about its input: a
// header of another topology, node or tables, or a line it cannot read.
var ErrBadStateFile = errors.New("bad state file")

// StateHeader is the first line of an exported state.
type StateHeader struct {
	Format   string            `json:"format"`
	Version  int               `json:"version"`
	Topology string            `json:"topology"`
	Node     string            `json:"node"`
	Group    string            `json:"group"`
	Tables   []StateTableShape `json:"tables"`
}

// StateTableShape is one table of an exported state: its name and its
// changelog's partitions.
type StateTableShape struct {
	Name       string `json:"name"`
	Partitions int32  `json:"partitions"`
}

// StateRawEntry is one table entry of an exported state (key and value
// base64 in JSON).
type StateRawEntry struct {
	Table     string `json:"table"`
	Partition int32  `json:"partition"`
	Key       []byte `json:"key"`
	Value     []byte `json:"value"`
}

// StateOffset is one committed offset of the node's consumer group in an
// exported state: the next record of the input partition to read.
type StateOffset struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

// stateLine is any line of an exported state, for reading.
type stateLine struct {
	Format   string            `json:"format"`
	Version  int               `json:"version"`
	Topology string            `json:"topology"`
	Node     string            `json:"node"`
	Group    string            `json:"group"`
	Tables   []StateTableShape `json:"tables"`

	Table     string `json:"table"`
	Partition *int32 `json:"partition"`
	Key       []byte `json:"key"`
	Value     []byte `json:"value"`

	Topic  string `json:"topic"`
	Offset *int64 `json:"offset"`
}

// ErrNoTables is returned (wrapped) when the state of a node that keeps no
// tables is exported or imported.
var ErrNoTables = errors.New("node keeps no tables")

// stateNode returns the node and its tables, for export and import.
func (t *Topology) stateNode(node string) (*node, []TableRef, error) {
	n, ok := t.index[node]
	if !ok {
		return nil, nil, fmt.Errorf("topology %s has no node %q (nodes: %v): %w", t.name, node, t.Nodes(), ErrUnknownNode)
	}
	tables := n.tables()
	if len(tables) == 0 {
		return nil, nil, fmt.Errorf("node %s: %w", node, ErrNoTables)
	}
	return n, tables, nil
}

// partitionReader is tr as a reader of whole partitions, which the state
// tools need to read changelogs.
func partitionReader(tr transport.Transport) (transport.PartitionReader, error) {
	reader, ok := tr.(transport.PartitionReader)
	if !ok {
		return nil, errors.New("the transport cannot read partitions")
	}
	return reader, nil
}

// readLive reads one changelog partition and returns its live entries
// (latest value per key, deleted keys dropped).
func readLive(ctx context.Context, reader transport.PartitionReader, topic string, p int32) (map[string][]byte, error) {
	live := map[string][]byte{}
	if _, err := reader.ReadPartition(ctx, topic, p, 0, func(r *transport.Record) error {
		if r.Value == nil {
			delete(live, string(r.Key))
		} else {
			live[string(r.Key)] = slices.Clone(r.Value)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return live, nil
}

// ExportState writes the state of a node so that it can move to another
// cluster (ImportState): JSON lines, first a StateHeader (topology, node,
// consumer group, tables with their changelog partitions, format
// version), then a StateRawEntry per live table entry (read from the
// changelog topics as DumpState does: the latest value per key, deleted
// keys left out; key and value base64), then a StateOffset per input
// partition the node's consumer group has committed (when the transport
// implements transport.OffsetManager). Stop the node first for a
// consistent copy: a running node goes on writing both.
func ExportState(ctx context.Context, tr transport.Transport, t *Topology, node string, w io.Writer) error {
	n, tables, err := t.stateNode(node)
	if err != nil {
		return err
	}
	reader, err := partitionReader(tr)
	if err != nil {
		return err
	}
	h := StateHeader{Format: StateFormat, Version: StateFormatVersion, Topology: t.name, Node: n.name, Group: t.group(n)}
	for _, tb := range tables {
		parts, err := reader.PartitionCount(ctx, t.changelogTopic(n, tb.TableName()))
		if err != nil {
			return fmt.Errorf("table %s: %w", tb.TableName(), err)
		}
		h.Tables = append(h.Tables, StateTableShape{Name: tb.TableName(), Partitions: parts})
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(h); err != nil {
		return err
	}
	for _, ts := range h.Tables {
		topic := t.changelogTopic(n, ts.Name)
		for p := range ts.Partitions {
			live, err := readLive(ctx, reader, topic, p)
			if err != nil {
				return fmt.Errorf("table %s partition %d: %w", ts.Name, p, err)
			}
			for _, k := range slices.Sorted(maps.Keys(live)) {
				if err := enc.Encode(StateRawEntry{Table: ts.Name, Partition: p, Key: []byte(k), Value: live[k]}); err != nil {
					return err
				}
			}
		}
	}
	if om, ok := tr.(transport.OffsetManager); ok {
		offsets, err := om.CommittedOffsets(ctx, t.group(n))
		if err != nil {
			return err
		}
		for _, topic := range t.inputTopicsOf(n) {
			parts := offsets[topic]
			for _, p := range slices.Sorted(maps.Keys(parts)) {
				if err := enc.Encode(StateOffset{Topic: topic, Partition: p, Offset: parts[p]}); err != nil {
					return err
				}
			}
		}
	}
	return bw.Flush()
}

// inputTopicsOf returns the topics node n consumes.
func (t *Topology) inputTopicsOf(n *node) []string {
	var topics []string
	for _, in := range n.inputs {
		topics = append(topics, t.outputTopic(in.n, in.branch))
	}
	return topics
}

// ImportState loads a state written by ExportState into the cluster of
// tr: it checks that the header names this topology, node and tables,
// reads the whole input (refusing lines it cannot read), creates the
// changelog topics that are missing (compacted, with the exported
// partitions), makes every changelog partition hold exactly the exported
// entries (entries produced to their partition; keys the partition held
// that the export lacks get a tombstone) and commits the exported offsets
// for the node's consumer group. The group must have no members (the node
// is stopped everywhere): with the transport's OffsetManager that is
// checked before anything is written. The node restores its tables from
// the changelogs when it starts.
func ImportState(ctx context.Context, tr transport.Transport, t *Topology, node string, r io.Reader) error {
	n, tables, err := t.stateNode(node)
	if err != nil {
		return err
	}
	reader, err := partitionReader(tr)
	if err != nil {
		return err
	}
	h, entries, offsets, err := readStateFile(r)
	if err != nil {
		return err
	}
	if h.Topology != t.name || h.Node != n.name {
		return fmt.Errorf("%w: it holds node %s of topology %s, not node %s of topology %s", ErrBadStateFile, h.Node, h.Topology, n.name, t.name)
	}
	shapes := map[string]int32{}
	for _, ts := range h.Tables {
		shapes[ts.Name] = ts.Partitions
	}
	var want []string
	for _, tb := range tables {
		want = append(want, tb.TableName())
	}
	if got := slices.Sorted(maps.Keys(shapes)); !slices.Equal(got, slices.Sorted(slices.Values(want))) || len(h.Tables) != len(want) {
		return fmt.Errorf("%w: it holds tables %v, node %s keeps %v", ErrBadStateFile, got, n.name, want)
	}
	for i, e := range entries {
		parts, ok := shapes[e.Table]
		if !ok {
			return fmt.Errorf("%w: entry %d: node %s has no table %q", ErrBadStateFile, i+1, n.name, e.Table)
		}
		if e.Partition < 0 || e.Partition >= parts {
			return fmt.Errorf("%w: entry %d: partition %d of table %s (it has %d)", ErrBadStateFile, i+1, e.Partition, e.Table, parts)
		}
	}
	inputs := t.inputTopicsOf(n)
	for _, o := range offsets {
		if !slices.Contains(inputs, o.Topic) {
			return fmt.Errorf("%w: offset of %s, which node %s does not read (it reads %v)", ErrBadStateFile, o.Topic, n.name, inputs)
		}
	}
	om, _ := tr.(transport.OffsetManager)
	if len(offsets) > 0 && om == nil {
		return errors.New("the transport cannot set a consumer group's offsets")
	}
	// The offsets point into the input topics: they must be here (copied
	// with their records, e.g. by MirrorMaker) before the group can use
	// them.
	checked := map[string]int32{}
	for _, o := range offsets {
		parts, ok := checked[o.Topic]
		if !ok {
			if parts, err = reader.PartitionCount(ctx, o.Topic); err != nil {
				return fmt.Errorf("input topic %s of node %s (the exported offsets point into it; copy it to this cluster first): %w", o.Topic, n.name, err)
			}
			checked[o.Topic] = parts
		}
		if o.Partition < 0 || o.Partition >= parts {
			return fmt.Errorf("%w: offset of %s partition %d, which has %d partitions here", ErrBadStateFile, o.Topic, o.Partition, parts)
		}
	}
	group := t.group(n)
	if om != nil {
		// Refuse before writing anything while the node runs somewhere;
		// SetOffsets checks again at the end.
		if err := om.SetOffsets(ctx, group, nil); err != nil {
			return err
		}
	}
	var specs []transport.TopicSpec
	for _, ts := range h.Tables {
		specs = append(specs, transport.TopicSpec{Name: t.changelogTopic(n, ts.Name), Partitions: ts.Partitions, Config: map[string]string{"cleanup.policy": "compact"}})
	}
	if err := tr.CreateTopics(ctx, specs...); err != nil {
		return fmt.Errorf("creating changelog topics: %w", err)
	}
	byPart := map[string]map[int32][]StateRawEntry{}
	for _, e := range entries {
		if byPart[e.Table] == nil {
			byPart[e.Table] = map[int32][]StateRawEntry{}
		}
		byPart[e.Table][e.Partition] = append(byPart[e.Table][e.Partition], e)
	}
	prod, err := tr.NewProducer(transport.ProducerOptions{ID: group + ".import"})
	if err != nil {
		return err
	}
	defer prod.Close()
	var (
		mu   sync.Mutex
		perr error
	)
	done := func(r *transport.Record, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && perr == nil {
			perr = fmt.Errorf("producing to %s/%d: %w", r.Topic, r.Partition, err)
		}
	}
	for _, ts := range h.Tables {
		topic := t.changelogTopic(n, ts.Name)
		parts, err := reader.PartitionCount(ctx, topic)
		if err != nil {
			return err
		}
		if parts != ts.Partitions {
			return fmt.Errorf("changelog %s has %d partitions here, the export %d", topic, parts, ts.Partitions)
		}
		for p := range ts.Partitions {
			live, err := readLive(ctx, reader, topic, p)
			if err != nil {
				return fmt.Errorf("table %s partition %d: %w", ts.Name, p, err)
			}
			for _, e := range byPart[ts.Name][p] {
				if old, ok := live[string(e.Key)]; ok && bytes.Equal(old, e.Value) {
					delete(live, string(e.Key))
					continue
				}
				delete(live, string(e.Key))
				prod.Produce(ctx, &transport.Record{Topic: topic, Partition: p, ManualPartition: true, Key: e.Key, Value: e.Value}, done)
			}
			for _, k := range slices.Sorted(maps.Keys(live)) {
				prod.Produce(ctx, &transport.Record{Topic: topic, Partition: p, ManualPartition: true, Key: []byte(k)}, done)
			}
		}
	}
	if err := prod.Flush(ctx); err != nil {
		return err
	}
	mu.Lock()
	err = perr
	mu.Unlock()
	if err != nil {
		return err
	}
	if om == nil {
		return nil
	}
	set := map[string]map[int32]int64{}
	for _, o := range offsets {
		if set[o.Topic] == nil {
			set[o.Topic] = map[int32]int64{}
		}
		set[o.Topic][o.Partition] = o.Offset
	}
	return om.SetOffsets(ctx, group, set)
}

// readStateFile reads an exported state: header, entries, offsets.
func readStateFile(r io.Reader) (StateHeader, []StateRawEntry, []StateOffset, error) {
	var (
		h       StateHeader
		entries []StateRawEntry
		offsets []StateOffset
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l stateLine
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return h, nil, nil, fmt.Errorf("%w: line %d: %v", ErrBadStateFile, line, err)
		}
		if dec.More() {
			return h, nil, nil, fmt.Errorf("%w: line %d: more than one JSON value", ErrBadStateFile, line)
		}
		switch {
		case h.Format == "":
			if l.Format != StateFormat {
				return h, nil, nil, fmt.Errorf("%w: line %d: not a state header (format %q, want %q)", ErrBadStateFile, line, l.Format, StateFormat)
			}
			if l.Version != StateFormatVersion {
				return h, nil, nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrBadStateFile, l.Version, StateFormatVersion)
			}
			h = StateHeader{Format: l.Format, Version: l.Version, Topology: l.Topology, Node: l.Node, Group: l.Group, Tables: l.Tables}
		case l.Table != "" && l.Partition != nil && l.Value != nil && l.Topic == "" && l.Offset == nil && l.Format == "":
			entries = append(entries, StateRawEntry{Table: l.Table, Partition: *l.Partition, Key: l.Key, Value: l.Value})
		case l.Topic != "" && l.Partition != nil && l.Offset != nil && *l.Offset >= 0 && l.Table == "" && l.Format == "":
			offsets = append(offsets, StateOffset{Topic: l.Topic, Partition: *l.Partition, Offset: *l.Offset})
		default:
			return h, nil, nil, fmt.Errorf("%w: line %d: neither a table entry {table, partition, key, value} nor an offset {topic, partition, offset}", ErrBadStateFile, line)
		}
	}
	if err := sc.Err(); err != nil {
		return h, nil, nil, fmt.Errorf("%w: %v", ErrBadStateFile, err)
	}
	if h.Format == "" {
		return h, nil, nil, fmt.Errorf("%w: empty (no header)", ErrBadStateFile)
	}
	return h, entries, offsets, nil
}
