// Package config reads topologies from YAML files: a name, run settings
// and nodes, each with a kind (a registered node kind or an IntelMQ module
// name), parameters, inputs and node options.
//
//	name: quickstart
//	run:
//	  partitions: 3
//	nodes:
//	  collect:
//	    kind: file-collector
//	    params:
//	      path: reports/
//	  parse:
//	    kind: shadowserver
//	    inputs: [collect]
//	  output:
//	    kind: file-output
//	    inputs: [parse]
//	    params: {path: "-"}
//	    options:
//	      batch: {size: 500, wait: 1s}
//
// Load and Parse check the whole file before anything starts (unknown kinds,
// unknown or ill-typed parameters, unknown inputs, a stream of reports
// wired into a node that takes events ...) and name the file, the line and
// the node in every error; they build the topology with the typed DSL of
// package topology. SetParam and Save change parameters and write the file
// back with its comments and order kept.
package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/intelstream/intelstream/topology"
)

// File is a topology file: its settings, its nodes and the YAML document
// they came from (kept for writing changes back).
type File struct {
	// Path is where the file was read from ("" when parsed from bytes).
	Path string
	// Name is the topology's name.
	Name string
	// Doc describes the topology (optional).
	Doc string
	// Run holds the run settings.
	Run Run
	// Nodes are the nodes in the order of the file.
	Nodes []*Node
	// Topology is the topology built from the file.
	Topology *topology.Topology

	mu  sync.Mutex // guards doc, Nodes' Params and writes
	doc yaml.Node
}

// Run are a file's run settings; the command line overrides them.
type Run struct {
	// Partitions of the topics the run creates (0: the command's default).
	Partitions int32
	// ExactlyOnce commits inputs and outputs in Kafka transactions.
	ExactlyOnce bool
	// StateDir is where nodes with tables keep their local stores.
	StateDir string
	// MemoryState keeps tables' local stores in memory.
	MemoryState bool
}

// Options returns the run settings as topology run options.
func (r Run) Options() []topology.RunOption {
	var opts []topology.RunOption
	if r.Partitions > 0 {
		opts = append(opts, topology.WithPartitions(r.Partitions, 1))
	}
	if r.ExactlyOnce {
		opts = append(opts, topology.ExactlyOnce())
	}
	if r.StateDir != "" {
		opts = append(opts, topology.WithStateDir(r.StateDir))
	}
	if r.MemoryState {
		opts = append(opts, topology.WithMemoryState())
	}
	return opts
}

// Node is one node of a topology file.
type Node struct {
	Name string
	// Kind is what the file says: a node kind or an IntelMQ module name.
	Kind string
	// Spec is the registered spec the kind resolved to.
	Spec topology.Spec
	// Params are the parameters as written in the file.
	Params map[string]any
	// Inputs name the nodes whose output this node reads.
	Inputs []string
	// Options are the node options.
	Options Options
	// Line is the line of the node's name in the file.
	Line int

	reg        *topology.Registration
	node       *yaml.Node // the node's mapping
	inputsLine int
	paramLines map[string]int
}

// Options are a node's options (see the topology package's NodeOption).
type Options struct {
	Partitions   int32
	Topic        string
	MaxInFlight  int
	BatchSize    int
	BatchWait    time.Duration
	Retries      int
	RetryBackoff time.Duration
	Requires     []string
	Produces     []string
}

func (o Options) nodeOptions() []topology.NodeOption {
	var out []topology.NodeOption
	if o.Partitions > 0 {
		out = append(out, topology.Partitions(o.Partitions))
	}
	if o.Topic != "" {
		out = append(out, topology.Topic(o.Topic))
	}
	if o.MaxInFlight > 0 {
		out = append(out, topology.MaxInFlight(o.MaxInFlight))
	}
	if o.BatchSize > 0 || o.BatchWait > 0 {
		out = append(out, topology.Batch(o.BatchSize, o.BatchWait))
	}
	if o.Retries > 0 || o.RetryBackoff > 0 {
		out = append(out, topology.Retries(o.Retries, o.RetryBackoff))
	}
	if len(o.Requires) > 0 {
		out = append(out, topology.Requires(o.Requires...))
	}
	if len(o.Produces) > 0 {
		out = append(out, topology.Produces(o.Produces...))
	}
	return out
}

// Error is one problem of a topology file, with where it is.
type Error struct {
	File string // the file's path or name
	Line int    // 0 when unknown
	Node string // "" for file-level problems
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Node != "" {
		fmt.Fprintf(&b, "node %s: ", e.Node)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Option changes how a file is read.
type Option func(*options)

type options struct {
	sets []set
}

type set struct{ node, param, value string }

// Set overrides a node's parameter before the file is checked and built
// (the command line's --set NODE.PARAM=VALUE). value is read as YAML, so
// numbers, booleans and lists keep their type.
func Set(node, param, value string) Option {
	return func(o *options) { o.sets = append(o.sets, set{node, param, value}) }
}

// Load reads, checks and builds the topology file at path.
func Load(path string, opts ...Option) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(path, data, opts...)
	if f != nil {
		f.Path = path
	}
	return f, err
}

// Parse checks and builds a topology file's contents; name is the file's
// name in errors.
func Parse(name string, data []byte, opts ...Option) (*File, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	f := &File{}
	if err := yaml.Unmarshal(data, &f.doc); err != nil {
		return nil, &Error{File: name, Err: err}
	}
	if len(f.doc.Content) == 0 {
		return nil, &Error{File: name, Err: errors.New("empty file")}
	}
	e := &errs{file: name}
	f.decode(e)
	if err := e.join(); err != nil {
		return nil, err
	}
	for _, s := range o.sets {
		n := f.node(s.node)
		if n == nil {
			e.add(0, "", fmt.Errorf("--set %s.%s: no node %q", s.node, s.param, s.node))
			continue
		}
		v := setValue(s.value)
		if err := f.setParam(n, s.param, v); err != nil {
			e.add(0, n.Name, fmt.Errorf("--set %s: %w", s.param, err))
		}
	}
	if err := e.join(); err != nil {
		return nil, err
	}
	f.check(e)
	if err := e.join(); err != nil {
		return nil, err
	}
	t, err := f.build(e)
	if err != nil {
		return nil, err
	}
	f.Topology = t
	return f, nil
}

// setValue reads a --set value as YAML (numbers, booleans, [lists] and
// {objects} keep their type), or as the text itself when YAML would make
// something else of it ("-", "", "a: b", "# x").
func setValue(text string) any {
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil || v == nil {
		return text
	}
	switch v.(type) {
	case []any:
		if !strings.HasPrefix(strings.TrimSpace(text), "[") {
			return text
		}
	case map[string]any:
		if !strings.HasPrefix(strings.TrimSpace(text), "{") {
			return text
		}
	}
	return v
}

// node returns the node named name, or nil.
func (f *File) node(name string) *Node {
	for _, n := range f.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// errs collects a file's problems.
type errs struct {
	file string
	list []error
}

func (e *errs) add(line int, node string, err error) {
	e.list = append(e.list, &Error{File: e.file, Line: line, Node: node, Err: err})
}

func (e *errs) join() error { return errors.Join(e.list...) }

// decode reads the document's structure into f, refusing unknown keys.
func (f *File) decode(e *errs) {
	root := f.doc.Content[0]
	if root.Kind != yaml.MappingNode {
		e.add(root.Line, "", errors.New("want a mapping with name, run and nodes"))
		return
	}
	var nodes *yaml.Node
	eachKey(root, func(k, v *yaml.Node) {
		switch k.Value {
		case "name":
			f.Name = scalar(e, v, "", "name")
		case "doc":
			f.Doc = scalar(e, v, "", "doc")
		case "run":
			f.decodeRun(e, v)
		case "nodes":
			nodes = v
		default:
			e.add(k.Line, "", fmt.Errorf("unknown key %q (want name, doc, run, nodes)", k.Value))
		}
	})
	if f.Name == "" {
		e.add(root.Line, "", errors.New("no name"))
	}
	if nodes == nil || nodes.Kind != yaml.MappingNode || len(nodes.Content) == 0 {
		line := root.Line
		if nodes != nil {
			line = nodes.Line
		}
		e.add(line, "", errors.New("nodes: want a mapping of node names to nodes"))
		return
	}
	seen := map[string]bool{}
	eachKey(nodes, func(k, v *yaml.Node) {
		if seen[k.Value] {
			e.add(k.Line, k.Value, errors.New("declared twice"))
			return
		}
		seen[k.Value] = true
		if n := decodeNode(e, k, v); n != nil {
			f.Nodes = append(f.Nodes, n)
		}
	})
}

func (f *File) decodeRun(e *errs, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		e.add(v.Line, "", errors.New("run: want a mapping"))
		return
	}
	eachKey(v, func(k, v *yaml.Node) {
		switch k.Value {
		case "partitions":
			f.Run.Partitions = int32(integer(e, v, "", "run.partitions"))
		case "exactly_once":
			decodeInto(e, v, "", "run.exactly_once", &f.Run.ExactlyOnce)
		case "state_dir":
			f.Run.StateDir = scalar(e, v, "", "run.state_dir")
		case "memory_state":
			decodeInto(e, v, "", "run.memory_state", &f.Run.MemoryState)
		default:
			e.add(k.Line, "", fmt.Errorf("run: unknown key %q (want partitions, exactly_once, state_dir, memory_state)", k.Value))
		}
	})
}

func decodeNode(e *errs, k, v *yaml.Node) *Node {
	n := &Node{Name: k.Value, Line: k.Line, node: v, paramLines: map[string]int{}}
	if v.Kind != yaml.MappingNode {
		e.add(k.Line, n.Name, errors.New("want a mapping with kind, params, inputs, options"))
		return nil
	}
	eachKey(v, func(k, v *yaml.Node) {
		switch k.Value {
		case "kind":
			n.Kind = scalar(e, v, n.Name, "kind")
		case "params":
			if v.Kind != yaml.MappingNode {
				e.add(v.Line, n.Name, errors.New("params: want a mapping"))
				return
			}
			n.Params = map[string]any{}
			eachKey(v, func(pk, pv *yaml.Node) {
				var val any
				if err := pv.Decode(&val); err != nil {
					e.add(pv.Line, n.Name, fmt.Errorf("parameter %s: %w", pk.Value, err))
					return
				}
				n.Params[pk.Value] = val
				n.paramLines[pk.Value] = pk.Line
			})
		case "inputs":
			n.inputsLine = v.Line
			if v.Kind == yaml.ScalarNode {
				n.Inputs = []string{v.Value}
				return
			}
			decodeInto(e, v, n.Name, "inputs", &n.Inputs)
		case "options":
			decodeOptions(e, n, v)
		default:
			e.add(k.Line, n.Name, fmt.Errorf("unknown key %q (want kind, params, inputs, options)", k.Value))
		}
	})
	if n.Kind == "" {
		e.add(n.Line, n.Name, errors.New("no kind"))
	}
	return n
}

func decodeOptions(e *errs, n *Node, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		e.add(v.Line, n.Name, errors.New("options: want a mapping"))
		return
	}
	o := &n.Options
	eachKey(v, func(k, v *yaml.Node) {
		switch k.Value {
		case "partitions":
			o.Partitions = int32(integer(e, v, n.Name, "options.partitions"))
		case "topic":
			o.Topic = scalar(e, v, n.Name, "options.topic")
		case "max_in_flight":
			o.MaxInFlight = int(integer(e, v, n.Name, "options.max_in_flight"))
		case "batch":
			var b struct {
				Size int    `yaml:"size"`
				Wait string `yaml:"wait"`
			}
			if strict(e, v, n.Name, "options.batch", &b) {
				o.BatchSize = b.Size
				o.BatchWait = duration(e, v, n.Name, "options.batch.wait", b.Wait)
			}
		case "retries":
			var r struct {
				Count   int    `yaml:"count"`
				Backoff string `yaml:"backoff"`
			}
			if strict(e, v, n.Name, "options.retries", &r) {
				o.Retries = r.Count
				o.RetryBackoff = duration(e, v, n.Name, "options.retries.backoff", r.Backoff)
			}
		case "requires":
			decodeInto(e, v, n.Name, "options.requires", &o.Requires)
		case "produces":
			decodeInto(e, v, n.Name, "options.produces", &o.Produces)
		default:
			e.add(k.Line, n.Name, fmt.Errorf("options: unknown key %q (want partitions, topic, max_in_flight, batch, retries, requires, produces)", k.Value))
		}
	})
}

// strict decodes a small mapping, refusing unknown keys.
func strict(e *errs, v *yaml.Node, node, what string, into any) bool {
	if v.Kind != yaml.MappingNode {
		e.add(v.Line, node, fmt.Errorf("%s: want a mapping", what))
		return false
	}
	out, err := yaml.Marshal(v)
	if err == nil {
		dec := yaml.NewDecoder(strings.NewReader(string(out)))
		dec.KnownFields(true)
		err = dec.Decode(into)
	}
	if err != nil {
		e.add(v.Line, node, fmt.Errorf("%s: %w", what, err))
		return false
	}
	return true
}

func duration(e *errs, v *yaml.Node, node, what, s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		e.add(v.Line, node, fmt.Errorf("%s: %q is not a duration (e.g. 500ms, 2s)", what, s))
	}
	return d
}

func eachKey(m *yaml.Node, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		fn(m.Content[i], m.Content[i+1])
	}
}

func scalar(e *errs, v *yaml.Node, node, what string) string {
	if v.Kind != yaml.ScalarNode {
		e.add(v.Line, node, fmt.Errorf("%s: want a string", what))
		return ""
	}
	return v.Value
}

func integer(e *errs, v *yaml.Node, node, what string) int64 {
	var n int64
	if decodeInto(e, v, node, what, &n) && n < 0 {
		e.add(v.Line, node, fmt.Errorf("%s: %d is negative", what, n))
	}
	return n
}

func decodeInto(e *errs, v *yaml.Node, node, what string, into any) bool {
	if err := v.Decode(into); err != nil {
		e.add(v.Line, node, fmt.Errorf("%s: %s", what, strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")))
		return false
	}
	return true
}

// check resolves kinds, validates parameters and inputs.
func (f *File) check(e *errs) {
	names := map[string]bool{}
	for _, n := range f.Nodes {
		names[n.Name] = true
	}
	for _, n := range f.Nodes {
		reg, ok := topology.Lookup(n.Kind)
		if !ok {
			e.add(n.Line, n.Name, fmt.Errorf("unknown kind %q (see intelstream nodes)", n.Kind))
		} else {
			n.reg, n.Spec = reg, reg.Spec
			if _, err := n.validate(n.Params); err != nil {
				f.paramErrors(e, n, err)
			}
		}
		for _, in := range n.Inputs {
			switch {
			case in == n.Name:
				e.add(n.Line, n.Name, errors.New("reads its own output"))
			case !names[in]:
				e.add(n.inputsLine, n.Name, fmt.Errorf("input %q: no such node", in))
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(n.Inputs)))) != len(n.Inputs) {
			e.add(n.Line, n.Name, errors.New("an input is named twice"))
		}
	}
}

// validate checks params against the node's spec.
func (n *Node) validate(params map[string]any) (topology.Params, error) {
	if params == nil {
		params = map[string]any{}
	}
	return n.Spec.Validate(params)
}

// paramErrors reports a validation error per parameter, at its line.
func (f *File) paramErrors(e *errs, n *Node, err error) {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	for _, err := range list {
		line := n.Line
		var pe *topology.ParamError
		if errors.As(err, &pe) {
			if l, ok := n.paramLines[pe.Param]; ok {
				line = l
			}
			err = fmt.Errorf("parameter %s: %w", pe.Param, pe.Err)
		}
		e.add(line, n.Name, err)
	}
}
