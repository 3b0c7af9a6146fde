//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package keystore

import "os"

// lockFile does nothing where there are no fcntl locks; Logstash does not
// lock the keystore on Windows either.
func lockFile(*os.File) error { return nil }
