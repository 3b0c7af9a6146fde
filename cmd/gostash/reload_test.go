package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
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
	cmd := exec.Command(goldencase.Binary(t), "-r", "--config.reload.interval", "50ms", "-f", conf)
	// stderr is kept for failure messages and watched for the failed
	// reload's report, which the test waits on before fixing the config.
	var stderr lockedBuffer
	reported := make(chan struct{})
	cmd.Stderr = &watchWriter{w: &stderr, want: []byte("Unknown setting 'nonsense' for generator"), seen: reported}
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
	select {
	case <-reported:
	case <-time.After(10 * time.Second):
		t.Fatalf("the failed reload was not reported:\n%s", stderr.String())
	}
	write(gen("v2"))
	expect("v2")
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchWriter passes writes to w and closes seen once the text written so
// far contains want.
type watchWriter struct {
	w    io.Writer
	want []byte
	seen chan struct{}
	all  bytes.Buffer
	done bool
}

func (ww *watchWriter) Write(p []byte) (int, error) {
	if !ww.done {
		ww.all.Write(p)
		if bytes.Contains(ww.all.Bytes(), ww.want) {
			ww.done = true
			close(ww.seen)
		}
	}
	return ww.w.Write(p)
}
