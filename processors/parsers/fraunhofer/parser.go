// Package fraunhofer parses Fraunhofer FKIE's DGArchive feed as IntelMQ's
// Fraunhofer DGA parser does: a JSON object whose keys name a malware
// (before the first "_") and whose values list the domains or addresses
// that malware's generator made. It registers itself as "fraunhofer_dga"
// and as IntelMQ's intelmq.bots.parsers.fraunhofer.parser_dga; it has no
// parameters.
package fraunhofer

import (
	"context"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "fraunhofer_dga"
	IntelMQModule = "intelmq.bots.parsers.fraunhofer.parser_dga"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return DGA{}, nil
	})
}

// DGA is the DGArchive parser. It has no state.
type DGA struct{}

// Parse makes one c2-server event per domain or address; its raw is the
// domain or address. The report fails as a whole when it is no JSON
// object; a value that is no list, or an item that is no text or that the
// fields refuse, goes to fail.
func (DGA) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	if doc.Kind != jsonv.Object {
		return fmt.Errorf("the report is a JSON %s, not an object", doc.Kind)
	}
	for i, key := range doc.Keys {
		malware, _, _ := strings.Cut(key, "_")
		list := doc.Elems[i]
		if list.Kind != jsonv.Array {
			fail(parsers.Failure{Raw: []byte(list.JSON(jsonv.Options{})), Err: fmt.Errorf("%q: a JSON %s, not a list", key, list.Kind)})
			continue
		}
		for _, item := range list.Elems {
			if err := ctx.Err(); err != nil {
				return err
			}
			ev, err := event(report, malware, item)
			if err != nil {
				fail(parsers.Failure{Raw: []byte(item.PyStr()), Err: fmt.Errorf("%q: %w", key, err)})
				continue
			}
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

func event(report *dho.Report, malware string, item jsonv.Value) (*dho.Event, error) {
	if item.Kind != jsonv.String {
		return nil, fmt.Errorf("a JSON %s, not a text", item.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"classification.type", "c2-server"}, {"malware.name", malware}} {
		if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if ok, _ := parsers.AddUnset(ev, "source.ip", item.S); !ok {
		if _, err := parsers.AddUnset(ev, "source.fqdn", item.S); err != nil {
			return nil, err
		}
	}
	ev.Raw = []byte(item.S)
	return ev, nil
}
