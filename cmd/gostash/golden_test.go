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
)

// gostashBin is the binary under test, built once by TestMain.
var gostashBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gostash-bin-")
	if err != nil {
		panic(err)
	}
	gostashBin = filepath.Join(dir, "gostash")
	build := exec.Command("go", "build", "-o", gostashBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		panic("building gostash: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goldenNow is the clock every golden case runs with (GOSTASH_NOW).
const goldenNow = "2026-01-02T03:04:05.678Z"

// TestGoldenPipelines runs every case directory under testdata/pipelines:
// config.conf (or the -e string in args) through the real binary (with
// -w 1 unless args set the workers), stdin fed from the case, stdout
// compared byte for byte with expected_stdout (@@HOSTNAME@@ standing for
// this machine's name), the exit code with expected_exit (default 0), and
// each line of expected_stderr looked for in stderr.
func TestGoldenPipelines(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "pipelines")
	var cases []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "config.conf" {
			cases = append(cases, filepath.Dir(p))
		}
		return nil
	})
	if len(cases) == 0 {
		t.Fatal("no golden pipeline cases found under testdata/pipelines")
	}
	host, _ := os.Hostname()
	for _, dir := range cases {
		name, _ := filepath.Rel(root, dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runGoldenCase(t, dir, host)
		})
	}
}

func runGoldenCase(t *testing.T, dir, host string) {
	read := func(name string) ([]byte, bool) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		return b, err == nil
	}
	// args holds extra arguments one per line; a case whose args include
	// -e runs that config string instead of config.conf.
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
	// Output order is part of the expected bytes, so cases run with one
	// worker (which keeps order) unless they choose otherwise.
	if !slices.Contains(args, "-w") && !slices.Contains(args, "--pipeline.workers") {
		args = append(args, "-w", "1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gostashBin, args...)
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
