// Package domainsuffix is the domain suffix expert: it writes the public
// suffix of each side's domain name to SIDE.domain_suffix, as IntelMQ's
// domain_suffix expert does.
//
// field says which name: fqdn (the first value of SIDE.fqdn) or
// reverse_dns. The suffix comes from suffix_file, a list in the public
// suffix list format (https://publicsuffix.org/list/), of which only the
// ICANN rules count: "co.uk" is a public suffix, "blogspot.co.uk" (a
// private rule) is not. Without suffix_file the list compiled into
// golang.org/x/net/publicsuffix is used. A name no rule matches gets its
// last label (the list's default rule "*"). The file is reloaded when it
// changes; DataAge reports its modification time and Health fails when it
// is older than max_age (or, with max_age set, when the compiled-in list
// of unknown age is used). Events without the field pass unchanged.
package domainsuffix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dataset"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "domain_suffix"

// Spec is the node spec of the domain suffix expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Writes the public suffix (ICANN rules of the public suffix list) of SIDE.fqdn or SIDE.reverse_dns to SIDE.domain_suffix.",
	IntelMQ: "intelmq.bots.experts.domain_suffix.expert",
	Params: []topology.Param{
		{Name: "field", Type: topology.ParamString, Required: true, Enum: []string{"fqdn", "reverse_dns"}, Doc: "Which name to read: fqdn or reverse_dns."},
		{Name: "suffix_file", Type: topology.ParamString, Doc: "Public suffix list file (public_suffix_list.dat); none: the list compiled in.", Example: "public_suffix_list.dat"},
		freshness.MaxAgeParam,
	},
	Produces: []string{"source.domain_suffix", "destination.domain_suffix"},
	Examples: []topology.Example{
		{Name: "public suffix", Params: map[string]any{"field": "fqdn"}, Input: map[string]any{"source.fqdn": "www.example.co.uk"},
			Output: []map[string]any{{"source.domain_suffix": "co.uk"}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		x, err := Open(context.Background(), p.String("field"), p.String("suffix_file"), p.Duration("max_age"))
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "suffix_file", Err: err}
		}
		return x, nil
	})
}

// Expert is the domain suffix expert.
type Expert struct {
	field  string
	list   *dataset.Set[List] // nil: the compiled-in list
	maxAge time.Duration
}

// Open returns the expert reading field ("fqdn" or "reverse_dns") with the
// list in file ("" for the compiled-in list).
func Open(ctx context.Context, field, file string, maxAge time.Duration) (*Expert, error) {
	if field != "fqdn" && field != "reverse_dns" {
		return nil, fmt.Errorf("field %q: use fqdn or reverse_dns", field)
	}
	x := &Expert{field: field, maxAge: maxAge}
	if file == "" {
		return x, nil
	}
	set, err := dataset.Open(ctx, dataset.Options{Name: Name, Files: []string{file}, MaxAge: maxAge},
		func(context.Context) (*List, time.Time, error) {
			f, err := os.Open(file)
			if err != nil {
				return nil, time.Time{}, err
			}
			defer f.Close()
			l, err := ParseList(f)
			if err != nil {
				return nil, time.Time{}, fmt.Errorf("%s: %w", file, err)
			}
			return l, time.Time{}, nil
		})
	if err != nil {
		return nil, err
	}
	x.list = set
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// DataAge returns the modification time of the suffix file; false with
// the compiled-in list, whose age is unknown.
func (x *Expert) DataAge() (time.Time, bool) {
	if x.list == nil {
		return time.Time{}, false
	}
	return x.list.DataAge()
}

// Health fails when the suffix file is older than max_age, or when max_age
// is set and the compiled-in list (of unknown age) is used.
func (x *Expert) Health(ctx context.Context) error {
	if x.list == nil {
		if x.maxAge > 0 {
			return errors.New(Name + ": the compiled-in public suffix list has no known age; give suffix_file")
		}
		return nil
	}
	return x.list.Health(ctx)
}

// Suffix returns the public suffix of domain.
func (x *Expert) Suffix(domain string) string {
	if x.list == nil {
		return embeddedSuffix(domain)
	}
	return x.list.Get().Suffix(domain)
}

// Process writes the suffixes and emits e.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, ep := range []*dho.Endpoint{&e.Source, &e.Destination} {
		name := ep.ReverseDNS
		if x.field == "fqdn" {
			name = ""
			if len(ep.FQDN) > 0 {
				name = ep.FQDN[0]
			}
		}
		if name == "" {
			continue
		}
		ep.DomainSuffix = x.Suffix(name)
	}
	emit(e)
	return nil
}
