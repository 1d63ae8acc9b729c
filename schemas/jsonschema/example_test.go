package jsonschema_test

import (
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas/jsonschema"
)

func Example() {
	var e dho.Event
	_ = e.Set("source.ip", []string{"2001:DB8::1", "192.0.2.7"})
	_ = e.Set("classification.type", "botnet drone") // becomes infected-system
	_ = e.Set("time.source", "2026-11-20 10:30:00+02:00")

	// What dho writes, in either flat mode, the schema accepts.
	for _, mode := range []dho.FlatMode{dho.FlatIntelMQ, dho.FlatDHO} {
		doc := e.MarshalFlat(dho.FlatOptions{Mode: mode})
		fmt.Printf("%s\n  valid: %v\n", doc, jsonschema.Validate(jsonschema.Event(), doc) == nil)
	}

	// A value dho would have sanitized first is refused, by its key.
	err := jsonschema.Validate(jsonschema.Event(), []byte(`{"source.ip": "300.1.2.3", "source.colour": "red"}`))
	fmt.Println(err)
	// Output:
	// {"__type": "Event", "classification.type": "infected-system", "extra.dho.source.ip": ["192.0.2.7"], "source.ip": "2001:db8::1", "time.source": "2026-11-20T08:30:00+00:00"}
	//   valid: true
	// {"__type": "Event", "classification.type": "infected-system", "source.ip": ["2001:db8::1", "192.0.2.7"], "time.source": "2026-11-20T08:30:00+00:00"}
	//   valid: true
	// dho schema: /source.colour: is not a key of this schema (no such field, and not a valid extra.NAME); /source.ip: '300.1.2.3' is not valid ipv4: decimal must be between 0 and 255; /source.ip: '300.1.2.3' is not valid ipv6: missing colon
}
