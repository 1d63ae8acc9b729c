package cznic

import (
	"context"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
)

// Names of the HaaS parser in our registry and in IntelMQ's.
const (
	HaasName          = "cznic_haas"
	HaasIntelMQModule = "intelmq.bots.parsers.cznic.parser_haas"
)

func init() { parsers.Register(HaasName, HaasIntelMQModule, noParams(Haas{})) }

// Haas parses CZ.NIC's Honeypot as a Service feed. It has no state.
type Haas struct{}

// Parse makes one event per SSH session.
func (Haas) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc, err := jsonv.Parse(jsonv.Text(report.Raw))
	if err != nil {
		return err
	}
	return eachRecord(ctx, report, doc, emit, fail, haasEvent)
}

func haasEvent(report *dho.Report, rec jsonv.Value, raw []byte) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	add := func(name string, v jsonv.Value) error {
		_, err := jsonv.Add(ev, name, v, parsers.Refuse)
		return err
	}
	ip, err := rec.Key("ip")
	if err != nil {
		return nil, err
	}
	if err := add("source.ip", ip); err != nil {
		return nil, err
	}
	when, err := rec.Key("time")
	if err != nil {
		return nil, err
	}
	if when.Kind != jsonv.String {
		return nil, fmt.Errorf("time: %w: a JSON %s, not text", jsonv.ErrType, when.Kind)
	}
	t, err := sanitize.DateTime(when.S)
	if err != nil {
		return nil, fmt.Errorf("time: %w", err)
	}
	if _, err := parsers.Add(ev, "time.source", t, parsers.Refuse); err != nil {
		return nil, err
	}
	for _, f := range [...]struct {
		name string
		v    jsonv.Value
	}{
		{"protocol.transport", jsonv.Str("tcp")},
		{"protocol.application", jsonv.Str("ssh")},
		{"destination.port", jsonv.IntValue(22)},
	} {
		if err := add(f.name, f.v); err != nil {
			return nil, err
		}
	}
	extra := jsonv.Value{Kind: jsonv.Object}
	for i, k := range rec.Keys {
		if k == "time_closed" || k == "commands" {
			extra.Set(k, rec.Elems[i])
		}
	}
	if err := add("extra", extra); err != nil {
		return nil, err
	}
	if _, err := parsers.Add(ev, "raw", raw, parsers.Refuse); err != nil {
		return nil, err
	}
	country, err := rec.Key("country")
	if err != nil {
		return nil, err
	}
	if country.Truthy() {
		if err := add("source.geolocation.cc", country); err != nil {
			return nil, err
		}
	}
	login, err := rec.Key("login_successful")
	if err != nil {
		return nil, err
	}
	if login.Truthy() {
		// With or without commands: the attacker got in.
		if _, err := rec.Key("commands"); err != nil {
			return nil, err
		}
		return ev, add("classification.type", jsonv.Str("system-compromise"))
	}
	if err := add("classification.type", jsonv.Str("brute-force")); err != nil {
		return nil, err
	}
	return ev, add("extra.count", jsonv.IntValue(1))
}
