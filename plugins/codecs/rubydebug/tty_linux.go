package rubydebug

import (
	"os"
	"syscall"
	"unsafe"
)

// isTerminal is isatty(3): whether f accepts terminal ioctls.
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
