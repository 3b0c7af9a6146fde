//go:build unix

package persisted

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockDir takes the queue directory's .lock file, so that a second process
// (or a second pipeline with the same id) cannot open the same queue.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("The queue failed to obtain exclusive access, cause: %s is in use by another process", dir)
		}
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return f, nil
}

func mapFile(f *os.File, size int64, writable bool) ([]byte, error) {
	prot := unix.PROT_READ
	if writable {
		prot |= unix.PROT_WRITE
	}
	return unix.Mmap(int(f.Fd()), 0, int(size), prot, unix.MAP_SHARED)
}

func unmap(b []byte) error { return unix.Munmap(b) }

// syncRange makes b[from:to] of a mapping durable: msync with MS_SYNC,
// which Linux implements as fdatasync of the range.
func syncRange(b []byte, from, to int64) error {
	if to <= from {
		return nil
	}
	// msync wants an address aligned to the memory page.
	from -= from % int64(os.Getpagesize())
	return unix.Msync(b[from:to], unix.MS_SYNC)
}

// syncDir makes a directory's entries (a created or renamed file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// isDiskFull reports whether err means the device has no room.
func isDiskFull(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT)
}
