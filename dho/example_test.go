package dho_test

import (
	"fmt"

	"github.com/intelstream/intelstream/dho"
)

func ExampleEvent_Set() {
	var e dho.Event
	// Values are sanitized as IntelMQ sanitizes them.
	_ = e.Set("source.ip", "2001:0DB8::0001")
	_ = e.Set("source.asn", "AS64496")
	_ = e.Set("classification.type", "scanner")
	err := e.Set("source.ip", "300.1.2.3")
	fmt.Println(e.Source.IP, *e.Source.ASN, e.Classification.Type)
	fmt.Println(err != nil)
	// Output:
	// [2001:db8::1] 64496 scanner
	// true
}

func ExampleEvent_MarshalFlat() {
	var e dho.Event
	_ = e.Set("source.ip", []string{"192.0.2.1", "192.0.2.2"})
	_ = e.Set("tags", "constituency-a")
	_ = e.Set("extra.count", 3)
	fmt.Println(string(e.MarshalFlat(dho.FlatOptions{})))
	fmt.Println(string(e.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO, OmitType: true})))
	// Output:
	// {"__type": "Event", "extra.count": 3, "extra.dho.source.ip": ["192.0.2.2"], "extra.dho.tags": "constituency-a", "source.ip": "192.0.2.1"}
	// {"extra.count": 3, "source.ip": ["192.0.2.1", "192.0.2.2"], "tags": "constituency-a"}
}

func ExampleParseEvent() {
	e, err := dho.ParseEvent([]byte(`{"__type": "Event", "source.fqdn": "WWW.Example.ORG.", "time.source": "2026-11-20 10:30:00+02:00"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Source.FQDN[0], e.Time.Source.Format("2006-01-02T15:04:05Z07:00"))
	// Output: www.example.org 2026-11-20T08:30:00Z
}

func ExampleLookupField() {
	f, _ := dho.LookupField("source.port")
	fmt.Println(f.Name, f.Type, f.Multi, f.GoType())
	// Output: source.port Integer true []int64
}
