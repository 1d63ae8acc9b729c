// Package taxonomy is the taxonomy expert: it fills in an event's
// classification taxonomy from its classification type, as IntelMQ's
// taxonomy expert does, using the classification table of dho/taxonomy.
//
// The rules: with a type and no taxonomy, the taxonomy is the type's (or
// "other" for a type the table lacks); with neither, the type becomes
// "undetermined" and the taxonomy "other"; with a taxonomy and no type, the
// type becomes "undetermined"; with both, nothing changes.
package taxonomy

import (
	"context"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/taxonomy"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "taxonomy"

// Spec is the node spec of the taxonomy expert.
var Spec = topology.Spec{
	Name:     Name,
	Kind:     topology.KindExpert,
	Doc:      "Fills in classification.taxonomy from classification.type (and an undetermined type where none is given).",
	IntelMQ:  "intelmq.bots.experts.taxonomy.expert",
	Produces: []string{"classification.taxonomy", "classification.type"},
	Examples: []topology.Example{
		{Name: "taxonomy from the type", Input: map[string]any{"classification.type": "phishing", "source.url": "http://example.com/login"},
			Output: []map[string]any{{"classification.taxonomy": "fraud", "classification.type": "phishing"}}},
		{Name: "no type: undetermined", Input: map[string]any{"source.ip": "192.0.2.1"},
			Output: []map[string]any{{"classification.taxonomy": "other", "classification.type": "undetermined"}}},
	},
}

func init() {
	topology.Register(Spec, func(topology.Params) (any, error) { return New(), nil })
}

// Expert is the taxonomy expert. It has no state and no parameters.
type Expert struct{}

// New returns the taxonomy expert.
func New() *Expert { return &Expert{} }

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process classifies e and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	Apply(e)
	emit(e)
	return nil
}

// Apply fills in e's classification in place.
func Apply(e *dho.Event) {
	c := &e.Classification
	switch {
	case c.Taxonomy == "" && c.Type != "":
		if t, ok := taxonomy.TaxonomyOf(c.Type); ok {
			c.Taxonomy = t
		} else {
			c.Taxonomy = "other"
		}
	case c.Taxonomy == "" && c.Type == "":
		c.Taxonomy, c.Type = "other", "undetermined"
	case c.Type == "":
		c.Type = "undetermined"
	}
}
