package main

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// TestSIGINTDrainsInFlightEvents stops an endless generator with SIGINT
// while batches are in flight: the process must exit 0 and print every
// event it took in.
func TestSIGINTDrainsInFlightEvents(t *testing.T) {
	cmd := exec.Command(goldencase.Binary(t), "-w", "2", "-b", "50", "-e",
		`input { generator { message => "m" } } output { stdout { codec => line { format => "%{[event][sequence]}" } } }`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines++
		if lines == 5000 {
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("gostash did not stop after SIGINT")
	}
	m := regexp.MustCompile(`Pipeline terminated \{.*"events.in"=>(\d+), "events.filtered"=>(\d+), "events.out"=>(\d+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no termination counts in stderr:\n%s", stderr.String())
	}
	in, _ := strconv.Atoi(m[1])
	out, _ := strconv.Atoi(m[3])
	if in != out || out != lines || !bytes.Contains(stderr.Bytes(), []byte("SIGINT received. Shutting down.")) {
		t.Fatalf("in %d, out %d, printed %d\n%s", in, out, lines, stderr.String())
	}
}

// TestSecondSIGINTForcesExit checks a stuck shutdown can be forced.
func TestSecondSIGINTForcesExit(t *testing.T) {
	// The file output waits forever to open a FIFO no one reads, so the
	// graceful shutdown the first SIGINT starts cannot finish.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goldencase.Binary(t), "-e", `input { generator { } } output { file { path => "`+fifo+`" } }`)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	started, shuttingDown, forced := make(chan struct{}), make(chan struct{}), make(chan struct{})
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			switch {
			case bytes.Contains([]byte(line), []byte("Pipeline started")):
				close(started)
			case bytes.Contains([]byte(line), []byte("SIGINT received. Shutting down.")):
				close(shuttingDown)
			case bytes.Contains([]byte(line), []byte("SIGINT received. Terminating immediately..")):
				close(forced)
			}
		}
	}()
	// Signals are not queued: send the second only once the first was
	// seen, or the kernel may merge them. The pause lets events reach the
	// output before the first.
	for i, step := range []chan struct{}{started, shuttingDown} {
		select {
		case <-step:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("gostash stalled:\n%s", log.String())
		}
		if i == 0 {
			time.Sleep(500 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGINT)
	}
	// stderr reaches EOF when the process is gone; read it all before Wait.
	select {
	case <-logDone:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("second SIGINT did not force an exit:\n%s", log.String())
	}
	err := cmd.Wait()
	select {
	case <-forced:
	default:
		t.Fatalf("no forced-exit message:\n%s", log.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1, got %v\n%s", err, log.String())
	}
}

// TestRepeatedSIGTERMStaysGraceful: only a second SIGINT forces an exit, as
// in Logstash; `timeout` delivers SIGTERM twice (to the process and its group).
func TestRepeatedSIGTERMStaysGraceful(t *testing.T) {
	cmd := exec.Command(goldencase.Binary(t), "-e", `input { generator { } } output { stdout { codec => dots } }`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	if _, err := r.ReadByte(); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Process.Signal(syscall.SIGTERM)
	r.WriteTo(io.Discard)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("want a clean exit, got %v\n%s", err, stderr.String())
	}
	if bytes.Contains(stderr.Bytes(), []byte("Terminating immediately")) {
		t.Fatalf("SIGTERM forced an exit:\n%s", stderr.String())
	}
}
