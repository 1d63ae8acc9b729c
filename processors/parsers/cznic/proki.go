package cznic

import (
	"context"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Names of the PROKI parser in our registry and in IntelMQ's.
const (
	ProkiName          = "cznic_proki"
	ProkiIntelMQModule = "intelmq.bots.parsers.cznic.parser_proki"
)

func init() { parsers.Register(ProkiName, ProkiIntelMQModule, noParams(Proki{})) }

// Proki parses CZ.NIC's PROKI feed. It has no state.
type Proki struct{}

// Parse makes one event per record.
func (Proki) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	if data, ok := doc.Get("data"); ok {
		doc = data
	}
	return eachRecord(ctx, report, doc, emit, fail, prokiEvent)
}

func prokiEvent(report *dho.Report, rec jsonv.Value, raw []byte) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for i, key := range rec.Keys {
		name := key
		switch key {
		case "feed.name":
			name = "extra.original_feed_name"
		case "time.observation":
			name = "extra.original_time_observation"
		}
		if _, err := jsonv.Add(ev, name, rec.Elems[i], parsers.Refuse); err != nil {
			return nil, err
		}
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	return ev, nil
}
