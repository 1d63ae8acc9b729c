package procstat

import (
	"runtime"
	"testing"
)

func TestReadsTheProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/status is Linux's")
	}
	if kib := PeakRSSKiB(); kib <= 0 {
		t.Errorf("PeakRSSKiB = %d", kib)
	}
	before := CPUTime()
	x := 0
	for i := range 50_000_000 {
		x += i
	}
	_ = x
	if CPUTime() <= before {
		t.Errorf("CPUTime did not grow: %v", CPUTime())
	}
}
