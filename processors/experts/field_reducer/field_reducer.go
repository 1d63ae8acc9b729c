// Package fieldreducer is the field reducer expert: it keeps only the
// listed fields of each event (type whitelist) or removes them (type
// blacklist), as IntelMQ's field_reducer expert does.
//
// keys are dotted field names; "extra" names every extra field at once,
// "extra.NAME" one of them. With a whitelist every other field goes,
// including id and raw unless listed. Events lacking the listed fields
// pass with what they have.
package fieldreducer

import (
	"context"
	"errors"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "field_reducer"

// Spec is the node spec of the field reducer expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Keeps only the listed fields (whitelist) or removes them (blacklist).",
	IntelMQ: "intelmq.bots.experts.field_reducer.expert",
	Params: []topology.Param{
		{Name: "type", Type: topology.ParamString, Required: true, Enum: []string{"whitelist", "blacklist"}, Doc: "whitelist: keep only keys; blacklist: remove keys."},
		{Name: "keys", Type: topology.ParamStrings, Required: true, Doc: "Field names (\"extra\" for every extra field).", Example: "source.ip,classification.type,extra"},
	},
	Examples: []topology.Example{
		{Name: "keep only some fields", Params: map[string]any{"type": "whitelist", "keys": "source.ip, classification.type"},
			Input:  map[string]any{"source.ip": "192.0.2.1", "classification.type": "scanner", "comment": "internal note"},
			Output: []map[string]any{{"source.ip": "192.0.2.1", "classification.type": "scanner", "comment": nil}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		keys := p.Strings("keys")
		if len(keys) == 0 {
			return nil, &topology.ParamError{Node: Name, Param: "keys", Err: errors.New("no field names")}
		}
		for _, k := range keys {
			if k == "extra" {
				continue
			}
			if err := fieldval.Check(k); err != nil {
				return nil, &topology.ParamError{Node: Name, Param: "keys", Err: err}
			}
		}
		return New(p.String("type") == "whitelist", keys), nil
	})
}

// Expert is the field reducer expert.
type Expert struct {
	whitelist bool
	keys      []string
	set       map[string]bool
}

// New returns the expert keeping (whitelist) or removing keys.
func New(whitelist bool, keys []string) *Expert {
	x := &Expert{whitelist: whitelist, keys: keys, set: map[string]bool{}}
	for _, k := range keys {
		x.set[k] = true
	}
	return x
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process reduces e and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	if x.whitelist {
		var drop []string
		e.Range(func(name string, _ any) bool {
			if !x.set[name] && !(x.set["extra"] && fieldval.IsExtra(name)) {
				drop = append(drop, name)
			}
			return true
		})
		for _, name := range drop {
			e.Delete(name)
		}
	} else {
		for _, k := range x.keys {
			e.Delete(k)
		}
	}
	emit(e)
	return nil
}
