package persisted

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// preallocate gives f size bytes of written zeros. fallocate first
// reserves the blocks, so a full disk shows at once rather than after
// megabytes of zeros; the zeros then turn the reserved (unwritten) extents
// into written ones, so that syncing the records later is a data sync only:
// a sync of records in unwritten extents must also commit the file
// system's journal, which on ext4 costs twice the time and CPU.
func preallocate(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if err != nil && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	return writeZeros(f, size)
}

// syncData makes what was written to f durable; f's size does not change
// once it is preallocated, so its metadata need not be synced.
func syncData(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
