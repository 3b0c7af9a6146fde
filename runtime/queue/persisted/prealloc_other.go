//go:build unix && !linux

package persisted

import "os"

// preallocate reserves size bytes for f by writing zeros, so that a full
// disk shows when a page is created, not while records are written.
func preallocate(f *os.File, size int64) error { return writeZeros(f, size) }

// syncData makes what was written to f durable.
func syncData(f *os.File) error { return f.Sync() }
