package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestSIGINTDrainsInFlightEvents stops an endless generator with SIGINT
// while batches are in flight: the process must exit 0 and print every
// event it took in.
func TestSIGINTDrainsInFlightEvents(t *testing.T) {
	cmd := exec.Command(gostashBin, "-w", "2", "-b", "50", "-e",
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
	// The output blocks once the unread pipe fills, so the graceful
	// shutdown the first SIGINT starts cannot finish.
	cmd := exec.Command(gostashBin, "-e", `input { generator { } } output { stdout { codec => dots } }`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 || !bytes.Contains(stderr.Bytes(), []byte("SIGINT received. Terminating immediately..")) {
			t.Fatalf("want exit 1 with the forced-exit message, got %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("second SIGINT did not force an exit")
	}
}
