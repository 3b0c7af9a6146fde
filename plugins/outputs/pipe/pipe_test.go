package pipe

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func build(t *testing.T, block string, log *iotest.Log) *Output {
	t.Helper()
	o := iotest.Build(t, plugin.KindOutput, "pipe { "+block+" }", log).(*Output)
	t.Cleanup(func() { o.Close() })
	return o
}

// TestOneProcessPerCommandLine checks that events reach the standard input
// of the process their sprintf'd command names, started once and kept.
func TestOneProcessPerCommandLine(t *testing.T) {
	dir := t.TempDir()
	o := build(t, `command => ["sh", "-c", "cat >> `+dir+`/%{app}.log"] message_format => "%{app}: %{message}"`, nil)
	events := []*event.Event{
		iotest.Event("app", "web", "message", "one"),
		iotest.Event("app", "db", "message", "two"),
		iotest.Event("app", "web", "message", "three"),
	}
	if err := o.Output(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if len(o.pipes) != 2 {
		t.Fatalf("%d processes, want one per command line", len(o.pipes))
	}
	o.Close()
	for name, want := range map[string]string{"web.log": "web: one\nweb: three\n", "db.log": "db: two\n"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// TestJSONWithoutFormat checks the default line: the event as JSON,
// without @metadata.
func TestJSONWithoutFormat(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	o := build(t, `command => ["tee", "`+out+`"]`, nil)
	e := iotest.Event("message", "hi")
	e.Metadata().Set("secret", "kept out")
	if err := o.Output(context.Background(), []*event.Event{e}); err != nil {
		t.Fatal(err)
	}
	o.Close()
	want := `{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"hi"}` + "\n"
	if got, _ := os.ReadFile(out); string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestRestartsAProcessThatDied checks that a write to a process that went
// away is logged, and the line goes to a new process instead.
func TestRestartsAProcessThatDied(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var log iotest.Log
	o := build(t, `command => ["tee", "-a", "`+out+`"] message_format => "%{message}"`, &log)
	if err := o.Output(context.Background(), []*event.Event{iotest.Event("message", "first")}); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, out, "first\n")
	var old *child
	for _, c := range o.pipes {
		old = c
	}
	pid := old.cmd.Process.Pid
	old.cmd.Process.Kill()
	waitUntilDead(t, pid)
	if err := o.Output(context.Background(), []*event.Event{iotest.Event("message", "second")}); err != nil {
		t.Fatal(err)
	}
	log.WaitFor(t, "Error writing to pipe, closing pipe.")
	o.Close()
	if got, _ := os.ReadFile(out); string(got) != "first\nsecond\n" {
		t.Fatalf("got %q", got)
	}
}

// waitForFile waits until the file holds want.
func waitForFile(t *testing.T, path, want string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got, _ := os.ReadFile(path); string(got) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %q", path, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitUntilDead waits for a killed child to become a zombie: its end of
// the pipe is closed then.
func waitUntilDead(t *testing.T, pid int) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d did not die", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStaleProcessesAreClosed checks ttl: a process not written to since
// the previous cleanup is closed at the next one.
func TestStaleProcessesAreClosed(t *testing.T) {
	dir := t.TempDir()
	o := build(t, `command => ["sh", "-c", "cat >> `+dir+`/%{app}"] ttl => 0.001 message_format => "%{message}"`, nil)
	write := func(app string) {
		if err := o.Output(context.Background(), []*event.Event{iotest.Event("app", app, "message", app)}); err != nil {
			t.Fatal(err)
		}
	}
	write("a")
	// Each cleanup needs ttl to have passed since the previous one; the
	// clock is moved instead of waited on.
	o.lastCleanup = o.lastCleanup.Add(-time.Hour)
	write("b") // cleanup: a and b were written to, both marked inactive
	o.lastCleanup = o.lastCleanup.Add(-time.Hour)
	write("b") // cleanup: a was not written to since: closed
	if _, open := o.pipes["sh\x00-c\x00cat >> "+dir+"/a"]; open || len(o.pipes) != 1 {
		t.Fatalf("open processes: %d", len(o.pipes))
	}
}

// TestUnstartableProgramIsAnError checks that a program that cannot be run
// stops the output with the command named, as it stops Logstash's.
func TestUnstartableProgramIsAnError(t *testing.T) {
	o := build(t, `command => ["/nonexistent/program"]`, nil)
	err := o.Output(context.Background(), []*event.Event{iotest.Event()})
	if err == nil || !strings.Contains(err.Error(), `["/nonexistent/program"]`) {
		t.Fatalf("error %v", err)
	}
}

func TestEmptyCommandIsAConfigError(t *testing.T) {
	_, diags := iotest.TryBuild(plugin.KindOutput, `pipe { command => [] }`, nil)
	if !strings.Contains(diags, "The 'command' setting must not be empty") {
		t.Fatalf("diagnostics: %s", diags)
	}
}
