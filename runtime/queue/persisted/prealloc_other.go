//go:build unix && !linux

package persisted

import "os"

// reserve allocates size bytes for f by writing zeros, so that a full disk
// shows when a page is created, not while records are written.
func reserve(f *os.File, size int64) error { return writeZeros(f, size, nil) }

// fillZeros has nothing to do: reserve wrote zeros already.
func fillZeros(f *os.File, size int64, stop <-chan struct{}) error { return nil }

// syncData makes what was written to f durable.
func syncData(f *os.File) error { return f.Sync() }
