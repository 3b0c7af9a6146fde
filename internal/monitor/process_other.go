//go:build !unix

package monitor

import "time"

func cpuTime() time.Duration { return 0 }

func maxFileDescriptors() int64 { return -1 }

func openFileDescriptors() int64 { return -1 }

func virtualMemory() int64 { return -1 }

func loadAverage() (one, five, fifteen float64, ok bool) { return 0, 0, 0, false }
