//go:build !linux

package tty

import "os"

// IsTerminal approximates isatty(3) where gostash has no ioctl for it: a
// character device (a terminal, or /dev/null where colours do no harm).
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
