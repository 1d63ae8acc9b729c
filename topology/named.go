package topology

import (
	"fmt"
	"sort"
	"sync"
)

// Definition is a named, ready-made topology that the command can describe
// and run (intelstream run NAME): the examples register themselves so.
type Definition struct {
	Name string
	Doc  string
	// Build makes the topology; params are the command line's --set
	// values (NAME=VALUE), which each definition documents.
	Build func(params map[string]string) (*Topology, error)
}

var (
	defMu sync.RWMutex
	defs  = map[string]Definition{}
)

// Define registers a named topology. It panics on a duplicate name.
func Define(d Definition) {
	defMu.Lock()
	defer defMu.Unlock()
	if _, dup := defs[d.Name]; dup {
		panic("topology: defined twice: " + d.Name)
	}
	defs[d.Name] = d
}

// Defined returns the named topologies, by name.
func Defined() []Definition {
	defMu.RLock()
	defer defMu.RUnlock()
	out := make([]Definition, 0, len(defs))
	for _, d := range defs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Build builds the named topology.
func Build(name string, params map[string]string) (*Topology, error) {
	defMu.RLock()
	d, ok := defs[name]
	defMu.RUnlock()
	if !ok {
		var names []string
		for _, d := range Defined() {
			names = append(names, d.Name)
		}
		return nil, fmt.Errorf("no topology named %q (known: %v)", name, names)
	}
	return d.Build(params)
}
