package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// TestPipelinesYMLCases runs every case directory that holds a
// pipelines.yml instead of a config.conf, under plugins/*/*/testcases and
// testdata/pipelines-yml. Such a case runs gostash with --path.settings set
// to a copy of the case directory (which is also the working directory, so
// relative paths in pipelines.yml resolve there), -w 1 unless args set
// the workers, and no -f. Besides the
// usual args, env, stdin, expected_stdout, expected_stderr and
// expected_exit, it may hold:
//
//	expected_files/PATH         a file the run must leave at PATH, byte for byte
//	expected_files_sorted/PATH  the same after sorting the lines of both: for a
//	                            file written by several pipelines at once
func TestPipelinesYMLCases(t *testing.T) {
	var cases []string
	for _, pattern := range []string{"../../plugins/*/*/testcases/*/pipelines.yml", "../../testdata/pipelines-yml/*/pipelines.yml"} {
		found, _ := filepath.Glob(pattern)
		for _, f := range found {
			cases = append(cases, filepath.Dir(f))
		}
	}
	if len(cases) == 0 {
		t.Fatal("no pipelines.yml cases found")
	}
	for _, dir := range cases {
		name, _ := filepath.Rel("../..", dir)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			t.Parallel()
			runPipelinesYMLCase(t, dir)
		})
	}
}

func runPipelinesYMLCase(t *testing.T, src string) {
	work := t.TempDir()
	if err := os.CopyFS(work, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	read := func(name string) ([]byte, bool) {
		b, err := os.ReadFile(filepath.Join(work, name))
		return b, err == nil
	}
	args := []string{"--path.settings", work}
	if extra, ok := read("args"); ok {
		for _, a := range strings.Split(strings.TrimRight(string(extra), "\n"), "\n") {
			if a != "" {
				args = append(args, a)
			}
		}
	}
	// Output order is part of the expected bytes, so pipelines run with
	// one worker (which keeps order) unless the case says otherwise.
	if !slices.Contains(args, "-w") {
		args = append(args, "-w", "1")
	}
	if !slices.Contains(args, "--api.enabled") {
		args = append(args, "--api.enabled", "false")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goldencase.Binary(t), args...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOSTASH_NOW="+goldencase.Now)
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
		if wantCode, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			t.Fatalf("expected_exit %q is not an exit code", b)
		}
	}
	if code != wantCode {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, wantCode, stderr.String())
	}
	host, _ := os.Hostname()
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
	for _, kind := range []string{"expected_files", "expected_files_sorted"} {
		root := filepath.Join(work, kind)
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			want, _ := os.ReadFile(p)
			want = bytes.ReplaceAll(want, []byte("@@HOSTNAME@@"), []byte(host))
			got, err := os.ReadFile(filepath.Join(work, rel))
			if err != nil {
				t.Errorf("%s: %v\nstderr:\n%s", rel, err, stderr.String())
				return nil
			}
			if kind == "expected_files_sorted" {
				got, want = sortedLines(got), sortedLines(want)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs\n--- got\n%s\n--- want\n%s\n--- stderr\n%s", rel, got, want, stderr.String())
			}
			return nil
		})
	}
}

func sortedLines(b []byte) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	slices.Sort(lines)
	return []byte(strings.Join(lines, ""))
}
