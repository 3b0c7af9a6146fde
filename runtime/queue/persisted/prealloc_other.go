//go:build unix && !linux

package persisted

import "os"

// preallocate reserves size bytes for f by writing zeros: without
// fallocate that is how blocks get allocated before the file is mapped.
func preallocate(f *os.File, size int64) error { return writeZeros(f, size) }
