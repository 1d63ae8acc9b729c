// Package cznic parses the feeds of CZ.NIC as IntelMQ's CZ.NIC parsers do.
// It registers two parsers, both without parameters:
//
//   - "cznic_proki" (IntelMQ's intelmq.bots.parsers.cznic.parser_proki):
//     PROKI, the malicious addresses in Czech networks, a JSON list of
//     records (or an object holding it under "data") whose keys are already
//     IntelMQ field names; the record's feed.name and time.observation go
//     to extra.original_feed_name and extra.original_time_observation.
//   - "cznic_haas" (IntelMQ's intelmq.bots.parsers.cznic.parser_haas): the
//     Honeypot as a Service, a JSON list of SSH sessions; a successful
//     login is a system compromise, a failed one a brute-force attempt.
//
// Both write raw as IntelMQ re-serializes each record (a list of one).
// A record that cannot be read goes to fail and the others go on.
package cznic

import (
	"context"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// noParams is the factory of a parser without parameters.
func noParams(p parsers.Parser) parsers.Factory {
	return func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return p, nil
	}
}

// eachRecord calls record for every element of list, with the element's
// raw data (json.dumps([element])), and routes the events and failures.
func eachRecord(ctx context.Context, report *dho.Report, list jsonv.Value, emit func(*dho.Event) error, fail func(parsers.Failure),
	record func(*dho.Report, jsonv.Value, []byte) (*dho.Event, error)) error {
	if list.Kind != jsonv.Array {
		return fmt.Errorf("the records are a JSON %s, not a list", list.Kind)
	}
	for i, rec := range list.Elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := append(jsonv.AppendJSON([]byte("["), rec, jsonv.Options{}), ']')
		if rec.Kind != jsonv.Object {
			fail(parsers.Failure{Raw: raw, Err: fmt.Errorf("record %d is a JSON %s, not an object", i+1, rec.Kind)})
			continue
		}
		ev, err := record(report, rec, raw)
		if err != nil {
			fail(parsers.Failure{Raw: raw, Err: fmt.Errorf("record %d: %w", i+1, err)})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}
