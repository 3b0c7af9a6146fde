package ruby

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The test cases in testcases/ (the shared golden case format: config.conf,
// stdin, expected_stdout) hold code people commonly write, and the output
// the same code gives when run directly in MRI on a reference model of
// Logstash's Event (scripts/golden/ruby-filter.sh writes expected_stdout).
// Here they run through the real binary, with the clock the golden cases
// use and one worker.
func TestCases(t *testing.T) {
	requireRuby(t)
	cases, err := filepath.Glob("testcases/*/config.conf")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "gostash")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gostash/gostash/cmd/gostash").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, config := range cases {
		dir := filepath.Dir(config)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			stdin, err := os.ReadFile(filepath.Join(dir, "stdin"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected_stdout"))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "-f", "config.conf", "-w", "1")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOSTASH_NOW=2026-01-02T03:04:05.678Z")
			cmd.Stdin = bytes.NewReader(stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("gostash: %v\n%s", err, stderr.String())
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("stdout differs\n--- got\n%s\n--- want\n%s\n--- stderr\n%s", stdout.String(), want, stderr.String())
			}
		})
	}
}
