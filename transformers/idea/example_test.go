package idea_test

import (
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers/idea"
)

// A DHO event becomes an IDEA message; what IDEA cannot hold is reported.
func ExampleFromDHO() {
	e := &dho.Event{ID: "01938f6a-7c2e-7d4e-9b1a-3f5e8d2c1a00"}
	for k, v := range map[string]any{
		"classification.type": "brute-force", "source.ip": []string{"192.0.2.1", "2001:db8::1"},
		"destination.port": 22, "protocol.transport": "tcp", "time.observation": "2024-06-01T10:00:00Z", "tlp": "AMBER",
	} {
		if err := e.Set(k, v); err != nil {
			panic(err)
		}
	}
	m, losses, err := idea.FromDHO(e)
	if err != nil {
		panic(err)
	}
	b, _ := m.AppendJSON(nil)
	fmt.Println(string(b))
	fmt.Println(losses)
	// Output:
	// {"Format":"IDEA0","ID":"01938f6a-7c2e-7d4e-9b1a-3f5e8d2c1a00","DetectTime":"2024-06-01T10:00:00Z","Category":["Attempt.Login"],"Source":[{"IP4":["192.0.2.1"],"IP6":["2001:db8::1"],"Proto":["tcp"]}],"Target":[{"Port":[22],"Proto":["tcp"]}]}
	// tlp: IDEA has no place for it
}
