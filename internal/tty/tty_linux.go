// Package tty tells whether a file is a terminal: rubydebug colours only
// there, and stdin greets only a person at a terminal.
package tty

import (
	"os"
	"syscall"
	"unsafe"
)

// IsTerminal is isatty(3): whether f accepts terminal ioctls.
func IsTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
