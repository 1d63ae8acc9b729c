package all

import (
	"context"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/topology"
)

func TestParsersAreNodeKinds(t *testing.T) {
	for _, info := range parsers.Registered() {
		r, ok := topology.Lookup(info.Name)
		if !ok || r.Spec.Kind != topology.KindParser || r.Spec.IntelMQ != info.IntelMQModule {
			t.Errorf("parser %s: node kind %+v, %v", info.Name, r, ok)
		}
	}
	r, ok := topology.Lookup("intelmq.bots.parsers.shadowserver.parser")
	if !ok {
		t.Fatal("the Shadowserver parser is no node kind")
	}
	p, err := r.Spec.ValidateIntelMQ(map[string]any{"logging_level": "INFO"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := r.New(p)
	if err != nil {
		t.Fatal(err)
	}
	proc := x.(topology.Processor[dho.Report, dho.Event])
	report := &dho.Report{Raw: []byte("\"timestamp\",\"ip\",\"asn\",\"geo\"\n\"2026-11-20 08:15:00\",\"192.0.2.1\",64496,\"AT\"\n")}
	if err := report.Set("extra.file_name", "2026-11-20-blocklist-test.csv"); err != nil {
		t.Fatal(err)
	}
	var events []*dho.Event
	if err := proc.Process(context.Background(), report, func(e *dho.Event) { events = append(events, e) }); err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Source.IP[0] != "192.0.2.1" || events[0].Classification.Type != "blacklist" {
		t.Fatalf("events %v", events)
	}
	if _, err := r.New(topology.Params{"no_such_parameter": 1}); err == nil {
		t.Error("unknown parameter accepted by the factory")
	}
}
