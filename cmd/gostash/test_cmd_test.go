package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLFVGolden runs `gostash test` in every directory under testdata/lfv:
// `gostash test --config filters.conf [args...] tests` (--pipeline
// pipelines.yml when the directory has one), from inside the directory, so
// reports show short relative paths. stdout must equal
// expected_stdout, the exit code expected_exit (default 0), and each line
// of expected_stderr must appear in stderr.
func TestLFVGolden(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "lfv")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			args := []string{"test", "--config", "filters.conf"}
			if _, err := os.Stat(filepath.Join(dir, "pipelines.yml")); err == nil {
				args = []string{"test", "--pipeline", "pipelines.yml"}
			}
			if extra, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
				args = append(args, strings.Fields(string(extra))...)
			}
			args = append(args, "tests")
			cmd := exec.Command(gostashBin, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOSTASH_NOW="+goldenNow)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			exit := 0
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatal(err)
				}
				exit = ee.ExitCode()
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected_stdout"))
			if err != nil {
				t.Fatal(err)
			}
			if got := stdout.String(); got != string(want) {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", got, want, stderr.String())
			}
			wantExit := 0
			if b, err := os.ReadFile(filepath.Join(dir, "expected_exit")); err == nil {
				wantExit, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			}
			if exit != wantExit {
				t.Errorf("exit code %d, want %d; stderr:\n%s", exit, wantExit, stderr.String())
			}
			if b, err := os.ReadFile(filepath.Join(dir, "expected_stderr")); err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					if line != "" && !strings.Contains(stderr.String(), line) {
						t.Errorf("stderr lacks %q:\n%s", line, stderr.String())
					}
				}
			}
		})
	}
}

func TestRunTestArguments(t *testing.T) {
	tests := []struct {
		args           []string
		exit           int
		stdout, stderr string
	}{
		{[]string{"-h"}, 0, "usage: gostash test (--config PATH | --pipeline FILE) [options] TESTS...", ""},
		{[]string{"tests"}, 1, "", "usage: gostash test"},
		{[]string{"--config", "x.conf"}, 1, "", "usage: gostash test"},
		{[]string{"--bogus"}, 1, "", "flag provided but not defined: -bogus"},
		{[]string{"tests", "--ecs-compatibility", "v9", "-f", "x.conf"}, 1, "", "ERROR: --ecs-compatibility must be disabled, v1 or v8, not \"v9\""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		exit := runTest(tt.args, &stdout, &stderr)
		if exit != tt.exit || !strings.HasPrefix(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("runTest(%q) = %d\nstdout: %s\nstderr: %s", tt.args, exit, stdout.String(), stderr.String())
		}
	}
}
