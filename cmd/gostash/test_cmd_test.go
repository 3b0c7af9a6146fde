package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
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
			exp, err := goldencase.ReadExpected(dir)
			if err != nil {
				t.Fatal(err)
			}
			if exp.Stdout == nil {
				t.Fatal("a Filter Verifier case needs expected_stdout")
			}
			stdout, stderr, exit := goldencase.Exec(t, dir, args, nil, nil)
			exp.Check(t, stdout, stderr, exit)
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

// TestRubyScriptTests runs a ruby filter path script's test blocks through
// `gostash test --ruby-script`: passing scripts exit 0, failing ones 1.
func TestRubyScriptTests(t *testing.T) {
	if _, err := exec.LookPath("ruby"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ruby is not installed (apt-get install -y ruby)")
		}
		t.Skip("ruby is not installed (apt-get install -y ruby)")
	}
	dir := filepath.Join("..", "..", "plugins", "filters", "ruby", "testdata")
	for _, c := range []struct {
		script, want string
		code         int
	}{
		{"field_multiplier.rb", "PASS " + filepath.Join(dir, "field_multiplier.rb") + ": 2 tests passed", 0},
		{"failing_test.rb", "had 1 failing tests", 1},
	} {
		cmd := exec.Command(goldencase.Binary(t), "test", "--ruby-script", filepath.Join(dir, c.script))
		out, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != c.code || !strings.Contains(string(out), c.want) {
			t.Errorf("%s: exit %d, output %q; want exit %d and %q", c.script, code, out, c.code, c.want)
		}
	}
}
