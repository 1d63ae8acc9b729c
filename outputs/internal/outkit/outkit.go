// Package outkit holds what several outputs share: the event id used to
// deduplicate at the destination, the classification of HTTP answers into
// transient and permanent failures, and TLS settings.
package outkit

import (
	"github.com/google/uuid"

	"github.com/intelstream/intelstream/dho"
)

// idSpace is the UUID name space of ids derived from an event's content.
var idSpace = uuid.MustParse("6f1c2a8e-3d4b-5c6a-9e8f-7a6b5c4d3e2f")

// EventID returns the event's id; an event without one gets a version 5
// UUID derived from its content (its IntelMQ flat JSON), so that the same
// event delivered twice gets the same id and deduplicates at the
// destination. The event is not changed.
func EventID(e *dho.Event) string {
	if e.ID != "" {
		return e.ID
	}
	return uuid.NewSHA1(idSpace, e.AppendFlat(nil, dho.FlatOptions{OmitType: true})).String()
}
