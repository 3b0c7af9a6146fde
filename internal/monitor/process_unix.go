//go:build unix

package monitor

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxFileDescriptors is the soft limit on open files.
func maxFileDescriptors() int64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return -1
	}
	return int64(l.Cur)
}

// openFileDescriptors counts /proc/self/fd (Linux); -1 where there is no /proc.
func openFileDescriptors() int64 {
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return -1
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return -1
	}
	return int64(len(names)) - 1 // not the descriptor reading the directory
}

// virtualMemory is the process's virtual size from /proc/self/statm.
func virtualMemory() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	pages, err := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
	if err != nil {
		return -1
	}
	return pages * int64(os.Getpagesize())
}

// loadAverage reads /proc/loadavg; ok is false where there is none.
func loadAverage() (one, five, fifteen float64, ok bool) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, 0, 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return 0, 0, 0, false
	}
	var vals [3]float64
	for i := range vals {
		if vals[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			return 0, 0, 0, false
		}
	}
	return vals[0], vals[1], vals[2], true
}
