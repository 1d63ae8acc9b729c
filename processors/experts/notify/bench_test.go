package notify_test

import (
	"fmt"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/statetest"
	"github.com/intelstream/intelstream/processors/experts/notify"
	"github.com/intelstream/intelstream/topology"
)

// BenchmarkNotifyEndToEnd: b.N events for b.N/100 recipients through a
// notify node on the in-process broker with its tables on disk; each
// recipient's digest goes out when it holds its 100 events (max_events),
// so the run ends when every event is in a digest.
func BenchmarkNotifyEndToEnd(b *testing.B) {
	p, err := notify.Spec.Validate(map[string]any{"interval": "1h", "max_events": 100})
	if err != nil {
		b.Fatal(err)
	}
	x, err := notify.New(p)
	if err != nil {
		b.Fatal(err)
	}
	recipients := max(b.N/100, 1)
	event := func(i int) *dho.Event {
		e := &dho.Event{}
		r := i % recipients
		_ = e.Set("source.ip", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		_ = e.Set("classification.type", "scanner")
		_ = e.Set("source.abuse_contact", fmt.Sprintf("abuse@net%d.example", r))
		return e
	}
	statetest.Bench(b, topology.Processor[dho.Event, dho.Digest](x), event, notify.KeyByRecipient(nil),
		func(n int) int64 { return int64(n / 100) })
}
