// Package domainvalid is the domain valid expert: it passes only events
// whose domain name is valid and ends in a known top level domain, as
// IntelMQ's domain_valid expert does.
//
// A name is valid when it has at least two labels of letters, digits and
// hyphens (no underscore), each 1 to 63 characters long and neither
// starting nor ending with a hyphen, is at most 253 characters long, has a
// top level domain ending in a letter, and that top level domain is in
// tlds_domains_list (IANA's tlds-alpha-by-domain.txt format: one TLD a
// line, # comments, any case). Names are checked in their ASCII (punycode)
// form, which DHO stores. Every value of a multi-valued field must be
// valid.
//
// As in IntelMQ, an event without the field is dropped. The list is
// reloaded when the file changes; DataAge reports its modification time
// and Health fails when it is older than max_age.
package domainvalid

import (
	"bufio"
	"context"
	"os"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dataset"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "domain_valid"

// Spec is the node spec of the domain valid expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Passes only events whose domain name is valid and has a TLD from the TLD list; events without the field are dropped.",
	IntelMQ: "intelmq.bots.experts.domain_valid.expert",
	Params: []topology.Param{
		{Name: "domain_field", Type: topology.ParamString, Default: "source.fqdn", Doc: "Field holding the domain name."},
		{Name: "tlds_domains_list", Type: topology.ParamString, Required: true, Doc: "File of valid TLDs, one a line (IANA's tlds-alpha-by-domain.txt).", Example: "tlds-alpha-by-domain.txt"},
		freshness.MaxAgeParam,
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		field := p.String("domain_field")
		if err := fieldval.CheckText(field); err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "domain_field", Err: err}
		}
		file := p.String("tlds_domains_list")
		set, err := dataset.Open(context.Background(), dataset.Options{Name: Name, Files: []string{file}, MaxAge: p.Duration("max_age")},
			func(context.Context) (*map[string]bool, time.Time, error) { return loadTLDs(file) })
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "tlds_domains_list", Err: err}
		}
		return &Expert{field: field, tlds: set}, nil
	})
}

func loadTLDs(file string) (*map[string]bool, time.Time, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	tlds := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.ToLower(strings.TrimSpace(sc.Text()))
		if line != "" && !strings.HasPrefix(line, "#") {
			tlds[line] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, time.Time{}, err
	}
	if len(tlds) == 0 {
		return nil, time.Time{}, dataset.ErrEmpty
	}
	return &tlds, time.Time{}, nil
}

// Expert is the domain valid expert.
type Expert struct {
	field string
	tlds  *dataset.Set[map[string]bool]
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// DataAge returns the modification time of the TLD list.
func (x *Expert) DataAge() (time.Time, bool) { return x.tlds.DataAge() }

// Health fails when the TLD list is older than max_age.
func (x *Expert) Health(ctx context.Context) error { return x.tlds.Health(ctx) }

// Process emits e when its domain is valid.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	names := fieldval.Texts(e, x.field)
	if len(names) == 0 {
		return nil
	}
	tlds := *x.tlds.Get()
	for _, n := range names {
		if !Valid(n) || !tlds[strings.ToLower(n[strings.LastIndexByte(n, '.')+1:])] {
			return nil
		}
	}
	emit(e)
	return nil
}

// Valid reports whether name is a syntactically valid domain name (see the
// package documentation); the TLD list is not consulted.
func Valid(name string) bool {
	if len(name) > 253 {
		return false
	}
	labels := strings.Split(strings.ToLower(name), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	last := tld[len(tld)-1]
	return last >= 'a' && last <= 'z'
}
