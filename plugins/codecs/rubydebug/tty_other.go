//go:build !linux

package rubydebug

import "os"

// isTerminal approximates isatty(3) where gostash has no ioctl for it: a
// character device (a terminal, or /dev/null where colours do no harm).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
