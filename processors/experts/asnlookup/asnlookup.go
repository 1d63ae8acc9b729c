// Package asnlookup is the ASN lookup expert (IntelMQ's asn_lookup): it
// sets asn and network of source.ip and destination.ip from a routing
// table dump in pyasn's "ipasn" format, the longest matching prefix
// winning. As in IntelMQ, found values replace existing ones; sides
// without an IP address or with an address no prefix covers are left as
// they are.
//
// The ipasn format: one "prefix<TAB>asn" per line (IPv4 and IPv6), lines
// starting with ";" are comments; pyasn's header says where the dump comes
// from ("; Original source: rib.20261120.0600.bz2") and when it was
// converted, which is the data's age (else the file's modification time).
package asnlookup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gaissmai/bart"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dataset"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "asn_lookup"

// Spec is the node spec of the ASN lookup expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets source/destination asn and network from a routing table dump (pyasn ipasn format), longest prefix match.",
	IntelMQ: "intelmq.bots.experts.asn_lookup.expert",
	Params: append(dataset.FileParams("/var/lib/intelstream/asn_lookup/ipasn.dat", "Path of the ipasn file."),
		topology.Param{Name: "autoupdate_cached_database", Type: topology.ParamBool, Default: true, Doc: "Accepted for IntelMQ configurations; `intelstream update asn_lookup` refreshes the file."}),
	Produces: []string{"source.asn", "source.network", "destination.asn", "destination.network"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

type route struct {
	asn int64
	net string // the prefix, as dotted text (what the event gets)
}

// Table is a loaded routing table.
type Table struct {
	routes bart.Table[route]
	// Source is when the routing data was dumped or converted, if the
	// header says.
	Source time.Time
}

// Lookup returns the ASN and prefix of the longest prefix containing a.
func (t *Table) Lookup(a netip.Addr) (asn int64, network string, ok bool) {
	r, ok := t.routes.Lookup(a.Unmap())
	return r.asn, r.net, ok
}

// Len returns the number of prefixes.
func (t *Table) Len() int { return t.routes.Size() }

var (
	ribDate       = regexp.MustCompile(`rib\.(\d{8})\.(\d{4})`)
	convertedDate = regexp.MustCompile(`(?i)^;\s*converted on\s*:\s*(.+)$`)
)

// Parse reads an ipasn file. A file without any prefix is an error.
func Parse(r io.Reader) (*Table, error) {
	t := &Table{}
	var header bytes.Buffer
	err := dataset.ScanLines(io.TeeReader(r, headerWriter{&header}), ";#", func(line string) error {
		pfx, asn, ok := strings.Cut(line, "\t")
		if !ok {
			f := strings.Fields(line)
			if len(f) != 2 {
				return fmt.Errorf("%q is not prefix<TAB>asn", line)
			}
			pfx, asn = f[0], f[1]
		}
		p, err := netip.ParsePrefix(strings.TrimSpace(pfx))
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(asn), 10, 64)
		if err != nil || n <= 0 || n > 4294967295 {
			return fmt.Errorf("ASN %q out of range", asn)
		}
		p = p.Masked()
		t.routes.Insert(p, route{asn: n, net: p.String()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t.routes.Size() == 0 {
		return nil, dataset.ErrEmpty
	}
	t.Source = headerTime(header.String())
	return t, nil
}

// headerWriter keeps the leading comment lines (the header) of a file.
type headerWriter struct{ b *bytes.Buffer }

func (h headerWriter) Write(p []byte) (int, error) {
	if h.b.Len() < 4096 {
		h.b.Write(p[:min(len(p), 4096)])
	}
	return len(p), nil
}

func headerTime(header string) time.Time {
	for line := range strings.Lines(header) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, ";") {
			break
		}
		if m := ribDate.FindStringSubmatch(line); m != nil {
			if t, err := time.Parse("200601021504", m[1]+m[2]); err == nil {
				return t
			}
		}
		if m := convertedDate.FindStringSubmatch(line); m != nil {
			if t, err := time.Parse(time.ANSIC, strings.Join(strings.Fields(m[1]), " ")); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// ParseFile reads an ipasn file (the check `intelstream update` runs
// before it replaces one).
func ParseFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Expert is the ASN lookup expert. Its data set gives it Reload, DataAge
// (when the routing data was dumped, or the file's time) and Health.
type Expert struct {
	*dataset.Set[Table]
}

var _ freshness.Reporter = (*Expert)(nil)

// New builds the expert and loads its database.
func New(p topology.Params) (*Expert, error) {
	set, err := dataset.OpenFile(Name, p, func(path string) (*Table, time.Time, error) {
		t, err := ParseFile(path)
		if err != nil {
			return nil, time.Time{}, err
		}
		return t, t.Source, nil
	})
	if err != nil {
		return nil, err
	}
	return &Expert{set}, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process sets e's ASNs and networks and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	t := x.Get()
	for _, s := range enrich.Sides(e) {
		a, ok := s.IP()
		if !ok {
			continue
		}
		if asn, network, ok := t.Lookup(a); ok {
			s.E.ASN = &asn
			s.E.Network = network
		}
	}
	emit(e)
	return nil
}
