//go:build unix

package persisted

import (
	"errors"
	"os"
)

// errStopped is what writeZeros returns when told to stop.
var errStopped = errors.New("stopped: the queue is closing")

// writeZeros fills f with size zero bytes, giving up with errStopped once
// stop is closed (a nil stop never is).
func writeZeros(f *os.File, size int64, stop <-chan struct{}) error {
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(zeros)) {
		select {
		case <-stop:
			return errStopped
		default:
		}
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
	}
	return nil
}
