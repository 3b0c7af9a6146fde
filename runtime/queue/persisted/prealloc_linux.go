package persisted

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// reserve makes f size bytes long with its blocks allocated, so that a
// full disk shows when a page is created, not while records are written.
// fallocate is instant, but leaves the blocks unwritten: the first sync of
// records in them must also commit ext4's journal (the extents change to
// written), which costs about twice as much as a data-only sync. Pages
// prepared ahead are therefore also filled with zeros (fillZeros).
func reserve(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) {
		return writeZeros(f, size, nil)
	}
	return err
}

// fillZeros writes zeros over a reserved file, so that syncing records
// in it later is a data sync only; it stops early, with errStopped, once
// stop is closed.
func fillZeros(f *os.File, size int64, stop <-chan struct{}) error {
	return writeZeros(f, size, stop)
}

// syncData makes what was written to f durable; f's size does not change
// once it is reserved, so its metadata need not be synced.
func syncData(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
