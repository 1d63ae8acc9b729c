package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// ExampleOutcome is one built-in example run by the self-test.
type ExampleOutcome struct {
	Example string `json:"example"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// NodeExamples is the answer of POST /api/v1/nodes/{name}/tests/examples:
// the node kind's built-in examples and how each went.
type NodeExamples struct {
	Node     string           `json:"node"`
	Kind     string           `json:"kind"`
	OK       bool             `json:"ok"`
	Passed   int              `json:"passed"`
	Failed   int              `json:"failed"`
	Took     string           `json:"took"`
	Examples []ExampleOutcome `json:"examples"`
	// Note says why nothing ran (a kind without examples).
	Note string `json:"note,omitempty"`
}

// TopologyExamples is the answer of POST /api/v1/tests/examples.
type TopologyExamples struct {
	OK    bool           `json:"ok"`
	Nodes []NodeExamples `json:"nodes"`
	// Skipped are the nodes not made from a registered kind, which have
	// no examples.
	Skipped []SkippedNode `json:"skipped"`
}

// SkippedNode is a node a self-test did not cover, and why.
type SkippedNode struct {
	Node   string `json:"node"`
	Reason string `json:"reason"`
}

// nodeRegistration returns the registration of a node's kind: nodes made
// by SourceKind, MapKind, SinkKind or from a topology file, and nodes
// whose processor carries its spec (topology.Specced).
func (s *Server) nodeRegistration(name string) (*topology.Registration, error) {
	spec, _, err := s.ctl.ParamsOf(name)
	kind := spec.Name
	if errors.Is(err, topology.ErrNoParams) {
		nd, derr := s.describeNode(name)
		if derr != nil {
			return nil, derr
		}
		if nd.Spec == "" {
			return nil, err
		}
		kind = nd.Spec
	} else if err != nil {
		return nil, err
	}
	reg, ok := topology.Lookup(kind)
	if !ok {
		return nil, fmt.Errorf("node %s: kind %s is not registered: %w", name, kind, topology.ErrNoParams)
	}
	return reg, nil
}

// runExamples runs a node kind's built-in examples.
func (s *Server) runExamples(r *http.Request, name string) (NodeExamples, error) {
	reg, err := s.nodeRegistration(name)
	if err != nil {
		return NodeExamples{}, err
	}
	start := time.Now()
	res := NodeExamples{Node: name, Kind: reg.Spec.Name, OK: true, Examples: []ExampleOutcome{}}
	for _, ex := range reg.RunExamples(r.Context()) {
		res.Examples = append(res.Examples, ExampleOutcome{Example: ex.Example, OK: ex.Passed(), Error: ex.Error})
		if ex.Passed() {
			res.Passed++
		} else {
			res.Failed++
			res.OK = false
		}
	}
	res.Took = time.Since(start).Round(time.Microsecond).String()
	if len(res.Examples) == 0 {
		res.Note = "kind " + reg.Spec.Name + " has no built-in examples"
	}
	return res, nil
}

func (s *Server) nodeExamplesTest(r *http.Request) (any, error) {
	return s.runExamples(r, r.PathValue("name"))
}

func (s *Server) examplesTest(r *http.Request) (any, error) {
	names := s.ctl.Nodes()
	if names == nil {
		return nil, topology.ErrNotRunning
	}
	out := TopologyExamples{OK: true, Nodes: []NodeExamples{}, Skipped: []SkippedNode{}}
	for _, name := range names {
		res, err := s.runExamples(r, name)
		if errors.Is(err, topology.ErrNoParams) {
			out.Skipped = append(out.Skipped, SkippedNode{Node: name, Reason: "not made from a registered kind"})
			continue
		}
		if err != nil {
			return nil, err
		}
		out.OK = out.OK && res.OK
		out.Nodes = append(out.Nodes, res)
	}
	return out, nil
}
