// Package procstat reads what the benchmarks report about their own
// process: its peak resident memory and the CPU time it used.
package procstat

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// PeakRSSKiB is the process's peak resident set size (VmHWM in
// /proc/self/status) in KiB, -1 where it cannot be read.
func PeakRSSKiB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// CPUTime is the CPU time (user and system) the process used so far, 0
// where it cannot be read.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
