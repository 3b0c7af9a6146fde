package inputtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// Process is a running gostash.
type Process struct {
	cmd    *exec.Cmd
	Stdout *Lines
	Stderr *Lines
	done   chan struct{}
	err    error
}

// Lines collects a stream's lines and lets tests wait for them.
type Lines struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func collect(r io.Reader) *Lines {
	l := &Lines{added: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.mu.Unlock()
			select {
			case l.added <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

// All returns the lines so far.
func (l *Lines) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

func (l *Lines) String() string { return strings.Join(l.All(), "\n") }

// WaitN waits until there are n lines and returns them.
func (l *Lines) WaitN(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if all := l.All(); len(all) >= n {
			return all
		}
		select {
		case <-l.added:
		case <-deadline:
			t.Fatalf("%d of %d lines within %v:\n%s", len(l.All()), n, timeout, l.String())
		}
	}
}

// WaitFor waits until a line contains s.
func (l *Lines) WaitFor(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for !strings.Contains(l.String(), s) {
		select {
		case <-l.added:
		case <-deadline:
			t.Fatalf("no %q within %v in:\n%s", s, timeout, l.String())
		}
	}
}

// StartGostash runs the binary (goldencase.Binary: the package's TestMain
// calls goldencase.Main) with a config string (-e) and extra args, and
// kills it at the end of the test if it is still running.
func StartGostash(t testing.TB, config string, args ...string) *Process {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the gostash binary")
	}
	cmd := exec.Command(goldencase.Binary(t), append([]string{"-e", config}, args...)...)
	cmd.Env = append(os.Environ(), "GOSTASH_NOW="+goldencase.Now)
	// Pipes of our own: Wait returns only after exec has copied all the
	// output into them, so no last line is lost.
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	cmd.Stdout, cmd.Stderr = outW, errW
	p := &Process{cmd: cmd, Stdout: collect(outR), Stderr: collect(errR), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		outW.Close()
		errW.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Stop sends SIGTERM and waits for a graceful exit, returning its error.
func (p *Process) Stop(t testing.TB) error {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("gostash did not stop within 60s\nstderr:\n%s", p.Stderr)
	}
	return p.err
}

// PeakRSS is the most resident memory the process has had so far, in bytes
// (VmHWM of /proc/<pid>/status).
func (p *Process) PeakRSS(t testing.TB) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM: %v", err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", p.cmd.Process.Pid)
	return 0
}

// FloodUntilClosed writes chunk to c again and again, at most limit bytes
// in all, and fails the test unless the peer closes the connection: a
// write fails, or a read after the writes ends with EOF or a reset (any
// bytes the peer sends first are skipped). It returns the bytes written.
func FloodUntilClosed(t testing.TB, c net.Conn, chunk []byte, limit int) int {
	t.Helper()
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	sent := 0
	for sent < limit {
		n, err := c.Write(chunk)
		sent += n
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the peer stopped reading after %d bytes but did not close the connection", sent)
			}
			return sent
		}
	}
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the connection is still open after %d bytes", sent)
		}
		if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("reading after %d bytes: %v", sent, err)
		}
		return sent
	}
}

// Wait waits for gostash to exit by itself and returns its error.
func (p *Process) Wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("gostash did not finish within %v\nstderr:\n%s", timeout, p.Stderr)
	}
	return p.err
}
