package topology

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/intelstream/intelstream/dho"
)

// reportInherited are the fields a parser's events inherit from their report.
var reportInherited = []string{"feed.accuracy", "feed.code", "feed.documentation", "feed.name", "feed.provider", "feed.url", "raw", "rtir_id", "time.observation"}

// Validate checks the graph before anything runs: names unique and valid,
// every input a stream of this topology, no cycle, every node's output
// consumed (except outputs), every field a node requires produced upstream,
// and every declared field a DHO field. It returns all problems found.
func (t *Topology) Validate() error {
	errs := slices.Clone(t.errs)
	if len(t.nodes) == 0 {
		errs = append(errs, errors.New("topology has no nodes"))
	}
	consumed := map[*node][]int{}
	for _, n := range t.nodes {
		for _, in := range n.inputs {
			if in.n != nil {
				consumed[in.n] = append(consumed[in.n], in.branch)
			}
		}
		errs = append(errs, t.checkTables(n)...)
		for _, f := range append(slices.Clone(n.requires), n.produces...) {
			if !knownField(f) {
				errs = append(errs, fmt.Errorf("node %q declares %q, which is no DHO field", n.name, f))
			}
		}
	}
	for _, n := range t.nodes {
		if n.op == opSink {
			continue
		}
		if n.op == opRoute {
			for i, b := range n.branches {
				if !slices.Contains(consumed[n], i) && b != "default" {
					errs = append(errs, fmt.Errorf("node %q: route %q is not consumed by any node", n.name, b))
				}
			}
			continue
		}
		if len(consumed[n]) == 0 {
			errs = append(errs, fmt.Errorf("node %q: its output is not consumed by any node (end the branch with a Sink)", n.name))
		}
	}
	if cyc := t.cycle(); cyc != nil {
		errs = append(errs, fmt.Errorf("cycle: %s", strings.Join(cyc, " → ")))
	} else {
		errs = append(errs, t.checkFields()...)
	}
	return errors.Join(errs...)
}

func knownField(name string) bool {
	if strings.HasPrefix(name, "extra.") {
		return len(name) > len("extra.")
	}
	_, ok := dho.LookupField(name)
	return ok
}

// cycle returns the nodes of a cycle, or nil. The DSL only lets a node read
// streams that exist already, so a cycle means a graph built another way.
func (t *Topology) cycle() []string {
	state := map[*node]int{} // 1 visiting, 2 done
	var stack []string
	var visit func(n *node) []string
	visit = func(n *node) []string {
		switch state[n] {
		case 1:
			i := slices.Index(stack, n.name)
			return append(slices.Clone(stack[i:]), n.name)
		case 2:
			return nil
		}
		state[n] = 1
		stack = append(stack, n.name)
		for _, in := range n.inputs {
			if in.n != nil {
				if c := visit(in.n); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return nil
	}
	for _, n := range t.nodes {
		if c := visit(n); c != nil {
			return c
		}
	}
	return nil
}

// available returns the fields that reach node n's input: everything its
// ancestors produce (a parser's events also inherit the report fields).
func (t *Topology) available(n *node, memo map[*node]map[string]bool) map[string]bool {
	if m, ok := memo[n]; ok {
		return m
	}
	out := map[string]bool{}
	memo[n] = out
	for _, in := range n.inputs {
		if in.n == nil {
			continue
		}
		for f := range t.available(in.n, memo) {
			out[f] = true
		}
		for _, f := range in.n.produces {
			out[f] = true
		}
		if in.n.outType == "report" || in.n.inType == "report" {
			for _, f := range reportInherited {
				out[f] = true
			}
		}
	}
	return out
}

func (t *Topology) checkFields() []error {
	var errs []error
	memo := map[*node]map[string]bool{}
	for _, n := range t.nodes {
		have := t.available(n, memo)
		var missing []string
		for _, f := range n.requires {
			if !have[f] {
				missing = append(missing, f)
			}
		}
		sort.Strings(missing)
		for _, f := range slices.Compact(missing) {
			errs = append(errs, fmt.Errorf("node %q requires %s, which no node upstream produces", n.name, f))
		}
	}
	return errs
}

// checkTables checks a node's tables: only Map nodes (one input, one
// processor) keep state, table names are valid and unique, and side
// outputs do not clash with the node's other topics.
func (t *Topology) checkTables(n *node) []error {
	var errs []error
	tables := n.tables()
	if len(tables) > 0 && n.op != opMap {
		errs = append(errs, fmt.Errorf("node %q: only Map nodes can have tables (this one is a %s)", n.name, n.op))
	}
	seen := map[string]bool{}
	for _, tb := range tables {
		name := tb.TableName()
		switch {
		case !tableNameRE.MatchString(name):
			errs = append(errs, fmt.Errorf("node %q: table name %q: use lower case letters, digits, - and _", n.name, name))
		case seen[name]:
			errs = append(errs, fmt.Errorf("node %q: two tables are named %q", n.name, name))
		}
		seen[name] = true
	}
	for _, side := range n.sideOutputs() {
		if !nameRE.MatchString(side) || side == "dlq" || strings.HasSuffix(side, ".changelog") {
			errs = append(errs, fmt.Errorf("node %q: side output name %q: use lower case letters, digits, - and _ (not dlq)", n.name, side))
		}
	}
	return errs
}
