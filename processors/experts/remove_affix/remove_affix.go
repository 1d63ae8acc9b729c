// Package removeaffix is the remove affix expert: it removes a prefix (or
// a suffix) from a field's value, such as "www." from source.fqdn, as
// IntelMQ's remove_affix expert does.
//
// Each value of a multi-valued field is treated; an extra field is
// treated when it holds a string. A value that does not start (end) with
// the affix stays as it is. Events without the field pass unchanged; a
// value that is empty afterwards unsets the field.
package removeaffix

import (
	"context"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "remove_affix"

// Spec is the node spec of the remove affix expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Removes a prefix (or suffix) from a field's values, e.g. \"www.\" from source.fqdn.",
	IntelMQ: "intelmq.bots.experts.remove_affix.expert",
	Params: []topology.Param{
		{Name: "remove_prefix", Type: topology.ParamBool, Default: true, Doc: "true: remove from the start; false: from the end."},
		{Name: "affix", Type: topology.ParamString, Default: "www.", Doc: "Text to remove."},
		{Name: "field", Type: topology.ParamString, Default: "source.fqdn", Doc: "Field to change (a text field)."},
	},
	Examples: []topology.Example{
		{Name: "www. removed", Input: map[string]any{"source.fqdn": "www.example.com"},
			Output: []map[string]any{{"source.fqdn": "example.com"}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		f := p.String("field")
		if err := fieldval.CheckText(f); err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "field", Err: err}
		}
		return &Expert{prefix: p.Bool("remove_prefix"), affix: p.String("affix"), field: f}, nil
	})
}

// Expert is the remove affix expert.
type Expert struct {
	prefix bool
	affix  string
	field  string
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process removes the affix and emits e.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	cut := strings.TrimSuffix
	if x.prefix {
		cut = strings.TrimPrefix
	}
	var err error
	switch v, _ := e.Get(x.field); v := v.(type) {
	case string:
		err = e.Set(x.field, cut(v, x.affix))
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = cut(s, x.affix)
		}
		err = e.Set(x.field, out)
	case dho.Value:
		if s, ok := v.Str(); ok {
			if s = cut(s, x.affix); s == "" {
				e.Delete(x.field)
			} else {
				err = e.Set(x.field, s)
			}
		}
	}
	if err != nil {
		return err
	}
	emit(e)
	return nil
}
