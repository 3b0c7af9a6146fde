package inputtest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the binary built for a test run; RemoveBinary deletes it.
var binDir string

var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gostash-input-test")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "gostash")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gostash")
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Binary builds the gostash binary once per test run and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the gostash binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("go build ./cmd/gostash: %v", err)
	}
	return bin
}

// RemoveBinary deletes the binary; a package's TestMain calls it.
func RemoveBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// goldenNow is the clock testcases run with (GOSTASH_NOW).
const goldenNow = "2026-01-02T03:04:05.678Z"

// RunTestcases runs every case directory under dir through the binary, in
// the format of testdata/pipelines: config.conf, and optionally args,
// stdin, env, expected_stdout (byte for byte, @@HOSTNAME@@ for the host
// name), expected_stderr (lines that must appear) and expected_exit.
func RunTestcases(t *testing.T, dir string) {
	bin := Binary(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		caseDir := filepath.Join(dir, ent.Name())
		t.Run(ent.Name(), func(t *testing.T) {
			t.Parallel()
			runCase(t, bin, caseDir, host)
		})
	}
}

func runCase(t *testing.T, bin, dir, host string) {
	read := func(name string) ([]byte, bool) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		return b, err == nil
	}
	var args []string
	if extra, ok := read("args"); ok {
		for _, a := range strings.Split(strings.TrimRight(string(extra), "\n"), "\n") {
			if a != "" {
				args = append(args, a)
			}
		}
	}
	if !slices.Contains(args, "-e") {
		args = append([]string{"-f", "config.conf"}, args...)
	}
	if !slices.Contains(args, "-w") && !slices.Contains(args, "--pipeline.workers") {
		args = append(args, "-w", "1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOSTASH_NOW="+goldenNow)
	if env, ok := read("env"); ok {
		for _, kv := range strings.Split(string(env), "\n") {
			if kv = strings.TrimSpace(kv); kv != "" {
				cmd.Env = append(cmd.Env, kv)
			}
		}
	}
	if in, ok := read("stdin"); ok {
		cmd.Stdin = bytes.NewReader(in)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running gostash: %v", err)
	}
	wantCode := 0
	if b, ok := read("expected_exit"); ok {
		wantCode, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if code != wantCode {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, wantCode, stderr.String())
	}
	if want, ok := read("expected_stdout"); ok {
		want = bytes.ReplaceAll(want, []byte("@@HOSTNAME@@"), []byte(host))
		if !bytes.Equal(stdout.Bytes(), want) {
			t.Errorf("stdout differs\n--- got\n%s\n--- want\n%s\n--- stderr\n%s", stdout.String(), want, stderr.String())
		}
	}
	if want, ok := read("expected_stderr"); ok {
		for _, line := range strings.Split(string(want), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.Contains(stderr.String(), line) {
				t.Errorf("stderr lacks %q\nstderr:\n%s", line, stderr.String())
			}
		}
	}
}

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

// StartGostash runs the binary with a config string (-e) and extra args,
// and stops it (SIGTERM) at the end of the test if it is still running.
func StartGostash(t testing.TB, config string, args ...string) *Process {
	t.Helper()
	bin := Binary(t)
	cmd := exec.Command(bin, append([]string{"-e", config}, args...)...)
	cmd.Env = append(os.Environ(), "GOSTASH_NOW="+goldenNow)
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
