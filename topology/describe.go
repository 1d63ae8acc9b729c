package topology

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Description is the graph as data: what Describe renders.
type Description struct {
	Name  string            `json:"name"`
	Nodes []NodeDescription `json:"nodes"`
	Edges []EdgeDescription `json:"edges"`
}

// NodeDescription describes one node.
type NodeDescription struct {
	Name          string   `json:"name"`
	Kind          Kind     `json:"kind"`
	Op            string   `json:"op"`
	Spec          string   `json:"spec,omitempty"`
	InputType     string   `json:"input_type,omitempty"`
	OutputType    string   `json:"output_type,omitempty"`
	InputTopics   []string `json:"input_topics,omitempty"`
	OutputTopics  []string `json:"output_topics,omitempty"`
	DeadLetter    string   `json:"dead_letter_topic"`
	ConsumerGroup string   `json:"consumer_group,omitempty"`
	Requires      []string `json:"requires,omitempty"`
	Produces      []string `json:"produces,omitempty"`
}

// EdgeDescription is one topic from a node to a node.
type EdgeDescription struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Topic string `json:"topic"`
	Type  string `json:"type"`
}

// outputTopic is the topic of a node's output port.
func (t *Topology) outputTopic(n *node, branch int) string {
	base := n.opts.topic
	if base == "" {
		base = t.name + "." + n.name
	}
	if n.op == opRoute {
		return base + "." + n.branches[branch]
	}
	return base
}

func (t *Topology) dlqTopic(n *node) string { return t.name + "." + n.name + ".dlq" }

func (t *Topology) group(n *node) string { return t.name + "." + n.name }

// Describe returns the graph as data.
func (t *Topology) Describe() Description {
	d := Description{Name: t.name}
	for _, n := range t.nodes {
		nd := NodeDescription{
			Name: n.name, Kind: n.kind, Op: n.op.String(), InputType: n.inType, OutputType: n.outType,
			DeadLetter: t.dlqTopic(n), Requires: sortedCopy(n.requires), Produces: sortedCopy(n.produces),
		}
		if n.spec != nil {
			nd.Spec = n.spec.Name
		}
		if n.op != opSource {
			nd.ConsumerGroup = t.group(n)
		}
		for _, in := range n.inputs {
			if in.n == nil {
				continue
			}
			topic := t.outputTopic(in.n, in.branch)
			nd.InputTopics = append(nd.InputTopics, topic)
			d.Edges = append(d.Edges, EdgeDescription{From: in.n.name, To: n.name, Topic: topic, Type: in.n.outType})
		}
		switch n.op {
		case opSink:
		case opRoute:
			for i := range n.branches {
				nd.OutputTopics = append(nd.OutputTopics, t.outputTopic(n, i))
			}
		default:
			nd.OutputTopics = []string{t.outputTopic(n, 0)}
		}
		d.Nodes = append(d.Nodes, nd)
	}
	return d
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// JSON renders the description as indented JSON.
func (d Description) JSON() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b) + "\n"
}

// Mermaid renders the graph as a Mermaid flowchart.
func (d Description) Mermaid() string {
	var b strings.Builder
	fmt.Fprintf(&b, "flowchart LR\n")
	for _, n := range d.Nodes {
		label := n.Name + "<br/><i>" + string(n.Kind) + "</i>"
		if n.Spec != "" {
			label += "<br/>" + n.Spec
		}
		open, closing := "[", "]"
		switch n.Op {
		case "source":
			open, closing = "([", "])"
		case "sink":
			open, closing = "[(", ")]"
		case "route", "filter":
			open, closing = "{{", "}}"
		}
		fmt.Fprintf(&b, "  %s%s\"%s\"%s\n", mermaidID(n.Name), open, label, closing)
	}
	for _, e := range d.Edges {
		fmt.Fprintf(&b, "  %s -->|%s| %s\n", mermaidID(e.From), e.Topic, mermaidID(e.To))
	}
	return b.String()
}

func mermaidID(name string) string { return "n_" + strings.NewReplacer("-", "_").Replace(name) }

// DOT renders the graph in Graphviz's DOT language.
func (d Description) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n", d.Name)
	for _, n := range d.Nodes {
		shape := "box"
		switch n.Op {
		case "source":
			shape = "invhouse"
		case "sink":
			shape = "cylinder"
		case "route", "filter":
			shape = "diamond"
		}
		label := n.Name + "\\n(" + string(n.Kind) + ")"
		if len(n.Requires) > 0 {
			label += "\\nrequires: " + strings.Join(n.Requires, ", ")
		}
		if len(n.Produces) > 0 {
			label += "\\nproduces: " + strings.Join(n.Produces, ", ")
		}
		fmt.Fprintf(&b, "  %q [label=\"%s\", shape=%s];\n", n.Name, label, shape)
	}
	for _, e := range d.Edges {
		fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", e.From, e.To, e.Topic)
	}
	b.WriteString("}\n")
	return b.String()
}
