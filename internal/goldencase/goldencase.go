// Package goldencase runs gostash end to end for tests: it builds the
// binary once per test process and runs golden case directories through
// it, comparing what the binary prints with the case's expected files.
//
// A case directory holds config.conf (a whole pipeline) and optionally:
//
//	stdin            fed to the binary
//	expected_stdout  compared byte for byte; @@HOSTNAME@@ stands for this machine's name
//	expected_stderr  lines that must each appear in stderr
//	expected_exit    the exit code (0 when absent)
//	args             extra arguments, one per line (-w 1 is added unless set;
//	                 with -e the config string replaces config.conf)
//	env              KEY=VALUE lines added to the environment
//	requires         programs the case needs on PATH, one per line (the ruby
//	                 filter needs ruby): without one the case is skipped, or
//	                 fails under CI (CI=true), which installs them
//
// A case may hold pipelines.yml (and a logstash.yml) instead of
// config.conf: it then runs as a service does, with --path.settings and no
// -f, in a copy of the case directory (so that files the pipelines write,
// queues and dead letter queues stay out of the source tree), where it may
// also be checked with:
//
//	expected_files/PATH         a file the run must leave at PATH, byte for byte
//	expected_files_sorted/PATH  the same after sorting the lines of both: for a
//	                            file several pipelines write at once
//
// Every case runs with the clock fixed at Now (GOSTASH_NOW).
package goldencase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Now is the clock every case runs with (GOSTASH_NOW).
const Now = "2026-01-02T03:04:05.678Z"

// hostPlaceholder stands for the machine's host name in expected_stdout.
const hostPlaceholder = "@@HOSTNAME@@"

// runTimeout bounds one run of the binary: a generous deadline, only there
// so that a hung pipeline fails its test instead of the whole test binary.
const runTimeout = 2 * time.Minute

var (
	binDir   string
	buildBin = sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", "gostash-test-bin-")
		if err != nil {
			return "", err
		}
		binDir = dir
		bin := filepath.Join(dir, "gostash")
		out, err := exec.Command("go", "build", "-o", bin, "github.com/gostash/gostash/cmd/gostash").CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go build ./cmd/gostash: %v\n%s", err, out)
		}
		return bin, nil
	})
)

// Binary returns the gostash binary, built on first use in this test
// process. A package that calls it runs its tests through Main, which
// removes the binary at the end.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Main runs a package's tests and removes the binary Binary built; call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// Expected is what a case directory says the binary must do.
type Expected struct {
	// Stdout is expected_stdout with the host name filled in; nil when the
	// case has no such file and stdout is not checked.
	Stdout []byte
	// StderrLines must each appear somewhere in stderr.
	StderrLines []string
	Exit        int
}

// ReadExpected reads dir's expected_stdout, expected_stderr and
// expected_exit. An expected_exit that is not a number is an error: it
// must not quietly mean 0.
func ReadExpected(dir string) (Expected, error) {
	var exp Expected
	if b, err := readOptional(dir, "expected_stdout"); err != nil {
		return exp, err
	} else if b != nil {
		host, err := os.Hostname()
		if err != nil {
			return exp, err
		}
		// An empty file means stdout must stay empty: keep it non-nil.
		exp.Stdout = append([]byte{}, bytes.ReplaceAll(b, []byte(hostPlaceholder), []byte(host))...)
	}
	if b, err := readOptional(dir, "expected_stderr"); err != nil {
		return exp, err
	} else {
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				exp.StderrLines = append(exp.StderrLines, line)
			}
		}
	}
	if b, err := readOptional(dir, "expected_exit"); err != nil {
		return exp, err
	} else if b != nil {
		code, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return exp, fmt.Errorf("%s: expected_exit %q is not an exit code", dir, b)
		}
		exp.Exit = code
	}
	return exp, nil
}

// Check reports every way a run's output differs from what is expected.
func (exp Expected) Check(t testing.TB, stdout, stderr []byte, exit int) {
	t.Helper()
	if exit != exp.Exit {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", exit, exp.Exit, stderr)
	}
	if exp.Stdout != nil && !bytes.Equal(stdout, exp.Stdout) {
		t.Errorf("stdout differs\n--- got\n%s\n--- want\n%s\n--- stderr\n%s", stdout, exp.Stdout, stderr)
	}
	for _, line := range exp.StderrLines {
		if !bytes.Contains(stderr, []byte(line)) {
			t.Errorf("stderr lacks %q\nstderr:\n%s", line, stderr)
		}
	}
}

// Case is a pipeline case directory: how to run the binary and what it must do.
type Case struct {
	Dir      string
	Args     []string
	Env      []string
	Stdin    []byte // nil when the case has no stdin file
	Requires []string
	Expected Expected
	// Settings is true for a pipelines.yml case.
	Settings bool
}

// Read reads the case in dir.
func Read(dir string) (*Case, error) {
	c := &Case{Dir: dir}
	var err error
	if c.Expected, err = ReadExpected(dir); err != nil {
		return nil, err
	}
	args, err := readOptional(dir, "args")
	if err != nil {
		return nil, err
	}
	for _, a := range strings.Split(strings.TrimRight(string(args), "\n"), "\n") {
		if a != "" {
			c.Args = append(c.Args, a)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pipelines.yml")); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "config.conf")); err == nil {
			return nil, fmt.Errorf("%s: a case holds config.conf or pipelines.yml, not both", dir)
		}
		c.Settings = true
	}
	// A case whose args include -e runs that config string instead.
	if !slices.Contains(c.Args, "-e") && !c.Settings {
		c.Args = append([]string{"-f", "config.conf"}, c.Args...)
	}
	// Output order is part of the expected bytes, so cases run with one
	// worker (which keeps order) unless they choose otherwise.
	if !slices.Contains(c.Args, "-w") && !slices.Contains(c.Args, "--pipeline.workers") {
		c.Args = append(c.Args, "-w", "1")
	}
	env, err := readOptional(dir, "env")
	if err != nil {
		return nil, err
	}
	for _, kv := range strings.Split(string(env), "\n") {
		if kv = strings.TrimSpace(kv); kv != "" {
			c.Env = append(c.Env, kv)
		}
	}
	if c.Stdin, err = readOptional(dir, "stdin"); err != nil {
		return nil, err
	}
	requires, err := readOptional(dir, "requires")
	if err != nil {
		return nil, err
	}
	c.Requires = strings.Fields(string(requires))
	return c, nil
}

// Run runs the case in dir through the binary and checks its output.
func Run(t testing.TB, dir string) {
	t.Helper()
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, program := range c.Requires {
		if _, err := exec.LookPath(program); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the case needs %s on PATH, which CI installs", program)
			}
			t.Skipf("the case needs %s on PATH", program)
		}
	}
	if !c.Settings {
		stdout, stderr, exit := Exec(t, dir, c.Args, c.Env, c.Stdin)
		c.Expected.Check(t, stdout, stderr, exit)
		return
	}
	work := t.TempDir()
	if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, exit := Exec(t, work, append([]string{"--path.settings", work}, c.Args...), c.Env, c.Stdin)
	c.Expected.Check(t, stdout, stderr, exit)
	checkFiles(t, work, stderr)
}

// checkFiles compares the files a run left in work with expected_files
// and expected_files_sorted.
func checkFiles(t testing.TB, work string, stderr []byte) {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"expected_files", "expected_files_sorted"} {
		root := filepath.Join(work, kind)
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if errors.Is(err, os.ErrNotExist) && p == root {
				return filepath.SkipDir
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			want, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			want = bytes.ReplaceAll(want, []byte(hostPlaceholder), []byte(host))
			got, err := os.ReadFile(filepath.Join(work, rel))
			if err != nil {
				t.Errorf("%s: %v\nstderr:\n%s", rel, err, stderr)
				return nil
			}
			if kind == "expected_files_sorted" {
				got, want = sortedLines(got), sortedLines(want)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs\n--- got\n%s\n--- want\n%s\n--- stderr\n%s", rel, got, want, stderr)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func sortedLines(b []byte) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	slices.Sort(lines)
	return []byte(strings.Join(lines, ""))
}

// RunAll runs every case directory (one holding config.conf or
// pipelines.yml) under root as a parallel subtest named by its path below
// root, and returns how many there were.
func RunAll(t *testing.T, root string) int {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (d.Name() == "config.conf" || d.Name() == "pipelines.yml") {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		name, _ := filepath.Rel(root, dir)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			t.Parallel()
			Run(t, dir)
		})
	}
	return len(dirs)
}

// Exec runs the binary in dir with args, env added to the environment
// (GOSTASH_NOW is set to Now) and stdin, and returns what it printed and
// its exit code.
func Exec(t testing.TB, dir string, args, env []string, stdin []byte) (stdout, stderr []byte, exit int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOSTASH_NOW="+Now), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("running gostash: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("gostash %s did not end within %v\nstderr:\n%s", strings.Join(args, " "), runTimeout, errOut.Bytes())
	}
	return out.Bytes(), errOut.Bytes(), exit
}

// readOptional returns the file's contents, or nil when it does not exist.
func readOptional(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err == nil && b == nil {
		b = []byte{}
	}
	return b, err
}
