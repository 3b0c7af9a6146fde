package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// runBinary runs the built gostash in dir and returns its stdout, stderr
// and exit code.
func runBinary(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(goldencase.Binary(t), args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

func TestSubcommandsHelp(t *testing.T) {
	for _, sub := range []string{"fmt", "plugins", "docs", "test"} {
		for _, flag := range []string{"-h", "--help"} {
			stdout, stderr, code := runBinary(t, t.TempDir(), sub, flag)
			if code != 0 || !strings.HasPrefix(stdout, "usage: gostash "+sub+" ") || stderr != "" {
				t.Errorf("gostash %s %s: exit %d\nstdout:\n%s\nstderr:\n%s", sub, flag, code, stdout, stderr)
			}
		}
	}
}

// fmtFixture writes, in a new directory, messy.conf (a comment-heavy
// config) and formatted.conf (its canonical form, hand-written in
// testdata/lang/format), and returns the directory and the canonical text.
func fmtFixture(t *testing.T) (string, string) {
	t.Helper()
	golden := filepath.Join("..", "..", "testdata", "lang", "format", "real-world-apache")
	messy, err := os.ReadFile(golden + ".conf")
	if err != nil {
		t.Fatal(err)
	}
	formatted, err := os.ReadFile(golden + ".fmt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, text := range map[string][]byte{"messy.conf": messy, "formatted.conf": formatted} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, string(formatted)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFmtPrints(t *testing.T) {
	dir, formatted := fmtFixture(t)
	stdout, stderr, code := runBinary(t, dir, "fmt", "messy.conf")
	if code != 0 || stdout != formatted || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, formatted, stderr)
	}
}

func TestFmtCheck(t *testing.T) {
	dir, _ := fmtFixture(t)
	before := readFile(t, filepath.Join(dir, "messy.conf"))
	stdout, stderr, code := runBinary(t, dir, "fmt", "--check", "formatted.conf", "messy.conf")
	if code != 1 || stdout != "messy.conf\n" || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if readFile(t, filepath.Join(dir, "messy.conf")) != before {
		t.Fatal("--check changed messy.conf")
	}
	// Flags may follow the files.
	stdout, stderr, code = runBinary(t, dir, "fmt", "formatted.conf", "--check")
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("formatted file: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestFmtCheckSyntaxError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.conf"), []byte("filter {\n  mutate { x => }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBinary(t, dir, "fmt", "--check", "bad.conf")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "bad.conf:2:") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestFmtWrite(t *testing.T) {
	dir, formatted := fmtFixture(t)
	// A file already in canonical form is not written: its time stays.
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "formatted.conf"), old, old); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBinary(t, dir, "fmt", "-w", "formatted.conf", "messy.conf")
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := readFile(t, filepath.Join(dir, "messy.conf")); got != formatted {
		t.Fatalf("messy.conf after -w:\n%s\nwant:\n%s", got, formatted)
	}
	for name, wantOld := range map[string]bool{"formatted.conf": true, "messy.conf": false} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v after -w, want 0600", name, st.Mode().Perm())
		}
		if st.ModTime().Equal(old) != wantOld {
			t.Errorf("%s modified at %v after -w; rewritten: %t, want %t", name, st.ModTime(), !st.ModTime().Equal(old), !wantOld)
		}
	}
}

func TestFmtArguments(t *testing.T) {
	dir, _ := fmtFixture(t)
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"fmt"}, "ERROR: no files given"},
		{[]string{"fmt", "-w", "--check", "messy.conf"}, "ERROR: -w and --check cannot be used together"},
		{[]string{"fmt", "--bogus", "messy.conf"}, "flag provided but not defined: -bogus"},
		{[]string{"fmt", "--", "-h"}, "ERROR: open -h: no such file or directory"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runBinary(t, dir, tt.args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("gostash %q: exit %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, stdout, stderr)
		}
	}
}
