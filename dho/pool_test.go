package dho

import "testing"

func TestReleaseEventEmptiesAndReuses(t *testing.T) {
	e := AcquireEvent()
	if err := e.Set("source.ip", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if err := e.Set("extra.n", 1); err != nil {
		t.Fatal(err)
	}
	ips, x := e.Source.IP, e.Extra
	ReleaseEvent(e)
	if e.Source.IP != nil || e.Extra != nil || e.Raw != nil {
		t.Errorf("released event not empty: %+v", e)
	}
	if len(x) != 0 {
		t.Errorf("released extra map holds %v", x)
	}
	if ips[0] != "192.0.2.1" {
		t.Errorf("a value copied out of the event changed: %v", ips)
	}
	ReleaseEvent(nil) // no panic

	// A map too large to keep is left to the collector.
	big := AcquireEvent()
	big.Extra = make(Extra, maxPooledExtra+1)
	for i := range maxPooledExtra + 1 {
		big.Extra[string(rune('a'+i%26))+string(rune('a'+i/26))] = Int(int64(i))
	}
	kept := big.Extra
	ReleaseEvent(big)
	if len(kept) != maxPooledExtra+1 {
		t.Errorf("a map not pooled was cleared: %d left", len(kept))
	}
	if m := MakeExtra(4); len(m) != 0 {
		t.Errorf("MakeExtra gave %v", m)
	}

	// Events handed back that never came from the pool fill it up to
	// poolSize; the rest are left to the collector.
	for range poolSize + 10 {
		ReleaseEvent(&Event{Extra: Extra{"a": Int(1)}})
	}
	if n, m := len(events.items), len(extras.items); n != poolSize || m != poolSize {
		t.Errorf("pools hold %d events and %d maps, want %d", n, m, poolSize)
	}
	last := events.items[poolSize-1]
	if got := AcquireEvent(); got != last {
		t.Error("AcquireEvent did not give out the event handed back last")
	}
	for range poolSize + 10 {
		if e := AcquireEvent(); e.Extra != nil || e.Source.IP != nil {
			t.Fatalf("AcquireEvent gave a used event: %+v", e)
		}
		if x := MakeExtra(0); len(x) != 0 {
			t.Fatalf("MakeExtra gave %v", x)
		}
	}
}

// BenchmarkAcquireReleaseEvent is the cost of an event with 12 extra values
// taken from the pool and handed back, against a new one each time.
func BenchmarkAcquireReleaseEvent(b *testing.B) {
	fill := func(e *Event) {
		if e.Extra == nil {
			e.Extra = MakeExtra(12)
		}
		for i := range 12 {
			e.Extra[string(rune('a'+i))] = Int(int64(i))
		}
	}
	b.Run("pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e := AcquireEvent()
			fill(e)
			ReleaseEvent(e)
		}
	})
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e := &Event{Extra: make(Extra, 12)}
			fill(e)
			sinkEvent = e
		}
	})
}

var sinkEvent *Event
