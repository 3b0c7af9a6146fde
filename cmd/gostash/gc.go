package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the garbage collector's GOGC when the environment
// sets none. A pipeline's live heap is small (the in-flight batches) while
// it allocates fast (every event is new maps), so with Go's default of 100
// the collector runs hundreds of times a second. The cost is memory: the
// heap may reach 2.25 times the live heap instead of 2, and more while a
// collection is under way, since what is allocated meanwhile counts as
// live. On benchmark-cli's baseline (-w 2, 2 CPUs) 125 takes about a fifth
// more events per CPU-second than 100 for a peak RSS of ~23 MiB instead of
// ~20; 150 was faster still but peaked past 30 MiB on a loaded machine.
// The overshoot grows when other processes keep the collector from its
// CPU: at a load average of 3-4 on 2 CPUs the -w 1 baseline peaked at
// 27 MiB with 100 and up to 31.5 with 125.
// Setting GOGC (or GOMEMLIMIT alongside it) in the environment overrides
// this, as for any Go program.
const defaultGCPercent = 125

func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
}
