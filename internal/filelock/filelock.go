// Package filelock takes the exclusive lock files Logstash takes (path.data's
// .lock, a dead letter queue's .lock): an fcntl write lock on the whole
// file, the lock the JDK's FileChannel.tryLock takes on Linux, so that
// gostash and Logstash keep out of each other's directories too.
package filelock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrLocked is the error when another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock is a held lock file.
type Lock struct{ f *os.File }

// Acquire creates dir/name if needed and locks it without waiting.
func Acquire(dir, name string) (*Lock, error) {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	return &Lock{f: f}, nil
}

// Release unlocks (closing the file releases the fcntl lock) and leaves the
// file, as Logstash does.
func (l *Lock) Release() error {
	return l.f.Close()
}
