package constituency

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gaissmai/bart"
)

// Entry is one member of the constituency: an organisation with its
// networks, ASNs, domains and names, and what an event that matches it
// gets (sector, contact, tags).
type Entry struct {
	Organisation string   `json:"organisation"`
	Sector       string   `json:"sector,omitempty"`
	Contact      string   `json:"contact,omitempty"`
	Tags         []string `json:"tags,omitempty"`
	Networks     []string `json:"networks,omitempty"`
	ASNs         []int64  `json:"asns,omitempty"`
	Domains      []string `json:"domains,omitempty"`
	// Names are other names of the organisation (e.g. its AS name); they
	// and the organisation's name are matched case-insensitively against
	// the event's name field.
	Names []string `json:"names,omitempty"`
}

// Table is a compiled constituency: networks in a prefix tree (longest
// prefix wins, IPv4 and IPv6), ASNs and names in maps, domains matched by
// suffix (the longest registered suffix wins).
type Table struct {
	nets    bart.Table[*Entry]
	asns    map[int64]*Entry
	domains map[string]*Entry
	names   map[string]*Entry
	entries int
}

// NewTable compiles entries. A later entry claiming the same network, ASN,
// domain or name as an earlier one is an error (the lists contradict
// each other), as is an unparsable network.
func NewTable(entries []Entry) (*Table, error) {
	t := &Table{asns: map[int64]*Entry{}, domains: map[string]*Entry{}, names: map[string]*Entry{}}
	for i := range entries {
		if err := t.add(&entries[i]); err != nil {
			return nil, fmt.Errorf("entry %d (%s): %w", i+1, entries[i].Organisation, err)
		}
	}
	return t, nil
}

func (t *Table) add(e *Entry) error {
	if strings.TrimSpace(e.Organisation) == "" {
		return fmt.Errorf("no organisation")
	}
	if len(e.Networks)+len(e.ASNs)+len(e.Domains)+len(e.Names) == 0 {
		return fmt.Errorf("no network, ASN, domain or name to match")
	}
	for _, n := range e.Networks {
		p, err := parseNetwork(n)
		if err != nil {
			return err
		}
		if prev, dup := t.nets.Get(p); dup {
			return fmt.Errorf("network %s already belongs to %s", p, prev.Organisation)
		}
		t.nets.Insert(p, e)
	}
	for _, a := range e.ASNs {
		if a <= 0 || a > 4294967295 {
			return fmt.Errorf("ASN %d out of range", a)
		}
		if prev, dup := t.asns[a]; dup {
			return fmt.Errorf("ASN %d already belongs to %s", a, prev.Organisation)
		}
		t.asns[a] = e
	}
	for _, d := range e.Domains {
		d = normDomain(d)
		if d == "" {
			return fmt.Errorf("empty domain")
		}
		if prev, dup := t.domains[d]; dup {
			return fmt.Errorf("domain %s already belongs to %s", d, prev.Organisation)
		}
		t.domains[d] = e
	}
	// The organisation's own name is one of its names. Several entries of
	// one organisation (a row per network) share it: the first keeps it.
	for _, n := range append([]string{e.Organisation}, e.Names...) {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if prev, dup := t.names[n]; dup {
			if prev.Organisation != e.Organisation {
				return fmt.Errorf("name %q already belongs to %s", n, prev.Organisation)
			}
			continue
		}
		t.names[n] = e
	}
	t.entries++
	return nil
}

// parseNetwork reads a CIDR prefix, a single address, or a range start-end
// that is one prefix; host bits must be zero.
func parseNetwork(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("network %q: not a prefix or address", s)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("network %q: %v", s, err)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("network %q has host bits set (did you mean %s?)", s, p.Masked())
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p, nil
}

func normDomain(d string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "*."), ".")
}

// Len returns the number of entries.
func (t *Table) Len() int { return t.entries }

// ByIP returns the entry of the longest prefix containing a.
func (t *Table) ByIP(a netip.Addr) (*Entry, bool) { return t.nets.Lookup(a.Unmap()) }

// ByASN returns the entry of an ASN.
func (t *Table) ByASN(asn int64) (*Entry, bool) { e, ok := t.asns[asn]; return e, ok }

// ByDomain returns the entry of the longest registered suffix of a domain
// name: "www.example.at" matches "example.at", and "at" matches every name
// under .at unless a longer suffix is registered.
func (t *Table) ByDomain(name string) (*Entry, bool) {
	name = strings.TrimSuffix(name, ".")
	for name != "" {
		if e, ok := t.domains[name]; ok {
			return e, true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			break
		}
		name = name[i+1:]
	}
	return nil, false
}

// ByName returns the entry with that name (case-insensitive).
func (t *Table) ByName(name string) (*Entry, bool) {
	e, ok := t.names[strings.ToLower(strings.TrimSpace(name))]
	return e, ok
}

// splitList splits a cell of a CSV file: values separated by ";", "," or
// white space.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// parseASNs reads ASNs given as numbers with or without "AS".
func parseASNs(vals []string) ([]int64, error) {
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		v = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(v)), "AS")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("ASN %q is not a number", v)
		}
		out = append(out, n)
	}
	return slices.Clip(out), nil
}
