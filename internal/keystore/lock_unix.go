//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package keystore

import (
	"io"
	"os"
	"syscall"
)

// lockFile takes a non-blocking write lock on the whole file with fcntl, the
// kind of lock the JDK's FileChannel.tryLock takes, so gostash and a
// Logstash keystore command never write the file at the same time. Closing
// the file releases it.
func lockFile(f *os.File) error {
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &syscall.Flock_t{
		Type:   syscall.F_WRLCK,
		Whence: io.SeekStart,
	})
}
