// Package redistest is what the redis plugins' tests share: the
// redis-server scripts/redis/redis.sh runs on 127.0.0.1 (required under
// CI=true, skipped with a message otherwise), redis-cli to look at it
// independently of gostash's client, private servers for tests that stop
// and start one, and runs of the gostash binary (goldencase.Binary; a
// package using Start removes it with goldencase.Main).
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// Server is a redis-server the tests talk to.
type Server struct {
	Port string
	// Run is the state dir of redis.sh, which holds the unix socket.
	Run string
}

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + s.Port }

// Socket is the server's unix socket.
func (s *Server) Socket() string { return filepath.Join(s.Run, "redis.sock") }

func shared() *Server {
	s := &Server{Port: os.Getenv("GOSTASH_REDIS_PORT"), Run: os.Getenv("GOSTASH_REDIS_RUN")}
	if s.Port == "" {
		s.Port = "6379"
	}
	if s.Run == "" {
		s.Run = filepath.Join(os.TempDir(), "gostash-redis")
	}
	return s
}

// Require returns the shared server (GOSTASH_REDIS_PORT, default 6379,
// as for redis.sh), failing the test under CI=true when it or redis-cli is
// missing and skipping it otherwise.
func Require(t testing.TB) *Server {
	t.Helper()
	s := shared()
	_, err := exec.LookPath("redis-cli")
	if err == nil {
		var out []byte
		out, err = exec.Command("redis-cli", "-h", "127.0.0.1", "-p", s.Port, "ping").CombinedOutput()
		if err == nil && strings.TrimSpace(string(out)) != "PONG" {
			err = fmt.Errorf("PING answered %q", out)
		}
	}
	if err != nil {
		msg := fmt.Sprintf("no redis-server on %s (start one with `scripts/redis/redis.sh up`): %v", s.Addr(), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return s
}

// CLI runs redis-cli against the server and returns its output without
// the final newline.
func (s *Server) CLI(t testing.TB, args ...string) string {
	t.Helper()
	return s.CLIInput(t, "", args...)
}

// CLIInput is CLI with stdin (redis-cli -x takes the last argument from it).
func (s *Server) CLIInput(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("redis-cli", append([]string{"-h", "127.0.0.1", "-p", s.Port}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// Lines is CLI split into lines (redis-cli prints one array item a line
// when its output is not a terminal).
func (s *Server) Lines(t testing.TB, args ...string) []string {
	t.Helper()
	out := s.CLI(t, args...)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// Key returns a fresh key name with prefix, deleted when the test ends.
func (s *Server) Key(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	key := prefix + "-" + hex.EncodeToString(b)
	t.Cleanup(func() { exec.Command("redis-cli", "-h", "127.0.0.1", "-p", s.Port, "del", key).Run() })
	return key
}

// Private is a server of the test's own, on a free port with its own
// state, for tests that stop and start it.
type Private struct {
	*Server
	t    testing.TB
	root string
}

// StartPrivate runs `redis.sh up` on a free port with its own state dir
// and runs `redis.sh down` when the test ends. It needs the shared server
// (Require) to be there, which also means redis-server is installed.
func StartPrivate(t testing.TB) *Private {
	t.Helper()
	Require(t)
	port := FreePort(t)
	// A short state path: unix socket paths are limited to 107 bytes.
	run, err := os.MkdirTemp("", "gostash-redis-")
	if err != nil {
		t.Fatal(err)
	}
	p := &Private{Server: &Server{Port: port, Run: filepath.Join(run, "r")}, t: t, root: root(t)}
	t.Cleanup(func() {
		p.control("down")
		os.RemoveAll(run)
	})
	p.control("up")
	return p
}

func (p *Private) control(action string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(p.root, "scripts/redis/redis.sh"), action)
	cmd.Env = append(os.Environ(), "GOSTASH_REDIS_PORT="+p.Port, "GOSTASH_REDIS_RUN="+p.Run)
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("redis.sh %s: %v\n%s", action, err, out)
	}
}

// Stop stops the server, keeping its data.
func (p *Private) Stop() { p.control("stop") }

// Start starts the stopped server again on its data.
func (p *Private) Start() { p.control("start") }

func root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Run is a gostash process.
type Run struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser // with StartFed
	stdout lockedBuffer
	stderr lockedBuffer
	done   chan struct{}
	err    error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start runs gostash on config (stdin empty) with -w 1 and extra args.
func Start(t testing.TB, config string, args ...string) *Run {
	t.Helper()
	return start(t, config, strings.NewReader(""), nil, args)
}

// StartEnv is Start with environment variables (KEY=VALUE) added.
func StartEnv(t testing.TB, env []string, config string, args ...string) *Run {
	t.Helper()
	return start(t, config, strings.NewReader(""), env, args)
}

// StartFed is Start with stdin fed by the test through the returned
// writer, for a stdin input paced by the test; closing it ends the input.
func StartFed(t testing.TB, config string, args ...string) (*Run, io.WriteCloser) {
	t.Helper()
	r := start(t, config, nil, nil, args)
	return r, r.stdin
}

// start runs gostash; a nil stdin makes r.stdin a pipe to it.
func start(t testing.TB, config string, stdin io.Reader, env, args []string) *Run {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pipeline.conf")
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Run{t: t, done: make(chan struct{})}
	r.cmd = exec.Command(goldencase.Binary(t), append([]string{"-f", file, "--api.enabled", "false", "-w", "1"}, args...)...)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	r.cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		r.cmd.Stdin = stdin
	} else {
		var err error
		if r.stdin, err = r.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			t.Logf("gostash stderr:\n%s", r.Stderr())
		}
	})
	return r
}

// Stdout is what gostash printed so far.
func (r *Run) Stdout() string { return r.stdout.String() }

// Stderr is what gostash logged so far.
func (r *Run) Stderr() string { return r.stderr.String() }

// Lines returns the complete lines gostash printed so far.
func (r *Run) Lines() []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(r.Stdout()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// WaitFor waits until cond holds, failing the test after timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitLines waits until gostash printed at least n lines and returns them.
func (r *Run) WaitLines(n int, timeout time.Duration) []string {
	r.t.Helper()
	WaitFor(r.t, timeout, fmt.Sprintf("%d lines of gostash output", n), func() bool { return len(r.Lines()) >= n })
	return r.Lines()
}

// WaitStderr waits until gostash logged text.
func (r *Run) WaitStderr(text string, timeout time.Duration) {
	r.t.Helper()
	WaitFor(r.t, timeout, fmt.Sprintf("%q in gostash's log", text), func() bool { return strings.Contains(r.Stderr(), text) })
}

// Wait waits for gostash to exit by itself and returns its exit code.
func (r *Run) Wait(timeout time.Duration) int {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		r.t.Fatalf("gostash did not finish within %s", timeout)
	}
	if ee, ok := r.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if r.err != nil {
		r.t.Fatal(r.err)
	}
	return 0
}

// Stop sends SIGTERM and waits for the exit code.
func (r *Run) Stop(timeout time.Duration) int {
	r.cmd.Process.Signal(syscall.SIGTERM)
	return r.Wait(timeout)
}

// FreePort returns a port on 127.0.0.1 nothing listens on.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// StartTLS runs a redis-server of the test's own that speaks only TLS, with
// the certificate and key given, on a free port of 127.0.0.1. With ca set
// it requires clients to present a certificate that ca signed. It is
// stopped when the test ends.
func StartTLS(t testing.TB, cert, key, ca string) *Server {
	t.Helper()
	Require(t)
	s := &Server{Port: FreePort(t), Run: t.TempDir()}
	args := []string{"--port", "0", "--tls-port", s.Port, "--bind", "127.0.0.1", "--dir", s.Run, "--save", "", "--appendonly", "no",
		"--tls-cert-file", cert, "--tls-key-file", key, "--tls-auth-clients", "no"}
	if ca != "" {
		args = append(args, "--tls-ca-cert-file", ca, "--tls-auth-clients", "yes")
	}
	cmd := exec.Command("redis-server", args...)
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("redis-server (TLS) log:\n%s", log.String())
		}
	})
	WaitFor(t, 30*time.Second, "the TLS redis-server to listen", func() bool {
		c, err := net.Dial("tcp", s.Addr())
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return s
}
