package topology_test

import (
	"testing"
	"time"

	"github.com/intelstream/intelstream/topology"
)

func TestWindowsOf(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 7, 30, 0, time.UTC)
	tm := func(h, m int) time.Time { return time.Date(2026, 11, 24, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		w    topology.Windows
		want []topology.Window
	}{
		{"tumbling", topology.Tumbling(10*time.Minute, 0), []topology.Window{{tm(10, 0), tm(10, 10)}}},
		{"hopping", topology.Hopping(10*time.Minute, 5*time.Minute, 0), []topology.Window{{tm(10, 0), tm(10, 10)}, {tm(10, 5), tm(10, 15)}}},
		{"uneven", topology.Hopping(10*time.Minute, 4*time.Minute, 0), []topology.Window{{tm(10, 0), tm(10, 10)}, {tm(10, 4), tm(10, 14)}}},
		{"hour", topology.Tumbling(time.Hour, 0), []topology.Window{{tm(10, 0), tm(11, 0)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.w.Check(); err != nil {
				t.Fatal(err)
			}
			got := tc.w.Of(at)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Start.Equal(tc.want[i].Start) || !got[i].End.Equal(tc.want[i].End) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestWindowsCheckAndWatermark(t *testing.T) {
	for _, w := range []topology.Windows{{}, {Size: time.Minute}, {Size: time.Minute, Advance: 2 * time.Minute}, {Size: time.Minute, Advance: time.Minute, Lateness: -1}} {
		if w.Check() == nil {
			t.Errorf("%+v: no error", w)
		}
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	latest := now.Add(-time.Hour)
	w := topology.Tumbling(time.Minute, 5*time.Minute)
	if got := w.Watermark(latest, now); !got.Equal(latest.Add(-5 * time.Minute)) {
		t.Errorf("event-time watermark %v", got)
	}
	w.WallClock = true
	if got := w.Watermark(latest, now); !got.Equal(now.Add(-5 * time.Minute)) {
		t.Errorf("wall-clock watermark %v", got)
	}
}
