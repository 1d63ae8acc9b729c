package jsonv

import (
	"context"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// ParseList is the Parse of feeds whose report is one JSON list with an
// event per element: the report fails as a whole when it is no JSON list;
// each element's raw is the element as a list of one, written as Python's
// json.dumps writes it; an element event refuses goes to fail, numbered,
// and the rest go on.
func ParseList(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure),
	event func(*dho.Report, Value) (*dho.Event, error)) error {
	doc, err := Parse(Text(report.Raw))
	if err != nil {
		return err
	}
	if doc.Kind != Array {
		return fmt.Errorf("the report is a JSON %s, not a list", doc.Kind)
	}
	for i, el := range doc.Elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := List(el).JSON(Options{})
		ev, err := event(report, el)
		if err != nil {
			fail(parsers.Failure{Raw: []byte(raw), Err: fmt.Errorf("element %d: %w", i+1, err)})
			continue
		}
		ev.Raw = []byte(raw)
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}
