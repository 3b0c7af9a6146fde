//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filelock

import (
	"io"
	"os"
	"syscall"
)

func lock(f *os.File) error {
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart})
}
