// Package tornodes is the Tor exit node expert (IntelMQ's tor_nodes): it
// sets source.tor_node and destination.tor_node to true when the side's IP
// address is in a list of Tor exit nodes. It never sets false: an address
// missing from the list may still be a relay. A tor_node already set is
// left alone unless overwrite; sides without an IP address are passed on
// unchanged.
//
// The database is a text file with one IP address per line ("#" starts a
// comment), as IntelMQ keeps it, or Tor's own exit list
// (https://check.torproject.org/exit-addresses, whose "ExitAddress" lines
// are read and other lines skipped).
package tornodes

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dataset"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "tor_nodes"

// Spec is the node spec of the Tor exit node expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets source/destination tor_node when the IP address is a Tor exit node (from a local list).",
	IntelMQ: "intelmq.bots.experts.tor_nodes.expert",
	Params: append(dataset.FileParams("/var/lib/intelstream/tor_nodes/tor_nodes.dat", "Path of the exit node list."),
		topology.Param{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Set tor_node to true even when it is already set."},
		topology.Param{Name: "autoupdate_cached_database", Type: topology.ParamBool, Default: true, Doc: "Accepted for IntelMQ configurations; `intelstream update tor_nodes` refreshes the file."}),
	Produces: []string{"source.tor_node", "destination.tor_node"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Nodes is a set of exit node addresses.
type Nodes map[netip.Addr]struct{}

// Has reports whether a is an exit node.
func (n Nodes) Has(a netip.Addr) bool { _, ok := n[a.Unmap()]; return ok }

// Parse reads an exit node list: plain addresses or Tor's exit-addresses
// format. A list without any address is an error.
func Parse(r io.Reader) (Nodes, error) {
	n := Nodes{}
	err := dataset.ScanLines(r, "#", func(line string) error {
		f := strings.Fields(line)
		switch {
		case len(f) == 1:
		case f[0] == "ExitAddress" && len(f) >= 2:
			f = f[1:]
		case f[0] == "ExitNode" || f[0] == "Published" || f[0] == "LastStatus":
			return nil
		default:
			return fmt.Errorf("%q is not an IP address", line)
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			return err
		}
		n[a.Unmap()] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(n) == 0 {
		return nil, dataset.ErrEmpty
	}
	return n, nil
}

// ParseFile reads an exit node list file.
func ParseFile(path string) (Nodes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// Expert is the Tor exit node expert. Its data set gives it Reload,
// DataAge (the file's modification time) and Health.
type Expert struct {
	*dataset.Set[Nodes]
	overwrite bool
}

var _ freshness.Reporter = (*Expert)(nil)

// New builds the expert and loads its database.
func New(p topology.Params) (*Expert, error) {
	set, err := dataset.OpenFile(Name, p, func(path string) (*Nodes, time.Time, error) {
		n, err := ParseFile(path)
		return &n, time.Time{}, err
	})
	if err != nil {
		return nil, err
	}
	return &Expert{Set: set, overwrite: p.Bool("overwrite")}, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process marks e's Tor exit nodes and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	nodes := *x.Get()
	for _, s := range enrich.Sides(e) {
		if s.E.TorNode != nil && !x.overwrite {
			continue
		}
		if a, ok := s.IP(); ok && nodes.Has(a) {
			s.E.TorNode = new(true)
		}
	}
	emit(e)
	return nil
}
