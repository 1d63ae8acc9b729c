package topology

import (
	"fmt"
	"time"
)

// Windows slice event time into windows: tumbling (Advance equal to Size:
// every instant in exactly one window) or hopping/sliding (Advance smaller
// than Size: every instant in Size/Advance windows). Windows are aligned
// to the Unix epoch, so every instance of a node cuts the same windows.
//
// Lateness is how long after a window's end records for it are still
// accepted. A window closes when the watermark passes its end: the
// watermark is the latest event time the partition has seen minus
// Lateness, or, with WallClock, the current time minus Lateness if that is
// later (so that windows of a live feed close even when no newer event
// comes). A record whose windows have all closed is late: it goes to the
// node's "late" side output, not into the windows.
type Windows struct {
	Size      time.Duration
	Advance   time.Duration
	Lateness  time.Duration
	WallClock bool
}

// Window is one window: [Start, End).
type Window struct{ Start, End time.Time }

// Tumbling returns tumbling windows of size with the allowed lateness.
func Tumbling(size, lateness time.Duration) Windows {
	return Windows{Size: size, Advance: size, Lateness: lateness}
}

// Hopping returns windows of size starting every advance.
func Hopping(size, advance, lateness time.Duration) Windows {
	return Windows{Size: size, Advance: advance, Lateness: lateness}
}

// Check says what is wrong with w, if anything.
func (w Windows) Check() error {
	switch {
	case w.Size <= 0:
		return fmt.Errorf("window size %s: must be positive", w.Size)
	case w.Advance <= 0 || w.Advance > w.Size:
		return fmt.Errorf("window advance %s: must be positive and at most the size %s", w.Advance, w.Size)
	case w.Lateness < 0:
		return fmt.Errorf("window lateness %s: must not be negative", w.Lateness)
	}
	return nil
}

// Of returns the windows that contain t, earliest first.
func (w Windows) Of(t time.Time) []Window {
	ns := t.UnixNano()
	adv, size := int64(w.Advance), int64(w.Size)
	last := ns - mod(ns, adv) // start of the latest window containing t
	var out []Window
	for start := last - (size-1)/adv*adv; start <= last; start += adv {
		if start+size > ns {
			out = append(out, Window{Start: time.Unix(0, start).UTC(), End: time.Unix(0, start+size).UTC()})
		}
	}
	return out
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// Watermark returns the time before which windows are closed, given the
// latest event time seen and the current time.
func (w Windows) Watermark(latest, now time.Time) time.Time {
	wm := latest.Add(-w.Lateness)
	if w.WallClock {
		if byClock := now.Add(-w.Lateness); byClock.After(wm) {
			wm = byClock
		}
	}
	return wm
}
