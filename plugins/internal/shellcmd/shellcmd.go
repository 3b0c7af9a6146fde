// Package shellcmd runs the command lines of the exec and pipe plugins
// through /bin/sh, as Ruby's popen does for a command string, so that a
// shutdown ends all of a command: the shell and whatever it started.
package shellcmd

import (
	"context"
	"os/exec"
	"syscall"
	"time"
)

// waitDelay bounds how long Wait waits for the command's output pipes to
// close after the command was killed.
const waitDelay = 5 * time.Second

// Command prepares line to run under /bin/sh -c in a process group of its
// own; when ctx ends the whole group is killed, so a pipeline such as
// "tail -F x | grep y" does not outlive the plugin.
func Command(ctx context.Context, line string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", line)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	return cmd
}
