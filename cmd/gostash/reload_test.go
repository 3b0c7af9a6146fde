package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReloadReplacesThePipeline runs with -r, rewrites the config, and
// expects the new pipeline's output; a config that does not compile is
// reported and leaves the old one in place.
func TestReloadReplacesThePipeline(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "p.conf")
	write := func(body string) {
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gen := func(msg string) string {
		return `input { generator { count => 1 message => "` + msg + `" } } output { stdout { codec => line { format => "%{message}" } } }`
	}
	write(gen("v1"))
	cmd := exec.Command(gostashBin, "-r", "--config.reload.interval", "50ms", "-f", conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("got %q, want %q\n%s", got, want, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %q\n%s", want, stderr.String())
		}
	}
	expect("v1")
	write(`input { generator { count => 1 nonsense => 1 } }`)
	time.Sleep(300 * time.Millisecond)
	write(gen("v2"))
	expect("v2")
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	if !bytes.Contains(stderr.Bytes(), []byte("Unknown setting 'nonsense' for generator")) {
		t.Fatalf("the failed reload was not reported:\n%s", stderr.String())
	}
}
