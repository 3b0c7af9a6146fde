package ruby

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

func numberedEvents(n int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = event.NewEvent()
		out[i].Set("n", int64(i))
	}
	return out
}

// checkEachOnce fails unless out holds the events numbered 0..n-1 once
// each, in order, and want(e) holds for each.
func checkEachOnce(t *testing.T, out []*event.Event, n int, want func(*event.Event) bool) {
	t.Helper()
	if len(out) != n {
		t.Fatalf("%d events came out of %d", len(out), n)
	}
	for i, e := range out {
		if v, _ := e.Get("n"); v != int64(i) {
			t.Fatalf("event %d is number %v", i, v)
		}
		if !want(e) {
			t.Fatalf("event %d: %s", i, event.AppendJSON(nil, e.Data()))
		}
	}
}

// waitForFile waits until path exists and returns its content.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
	return ""
}

// A worker killed with SIGKILL in the middle of a batch loses nothing and
// duplicates nothing: the batch goes to a new worker, whose results are the
// only ones applied.
func TestWorkerKilledMidBatch(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "in-batch")
	logs := &logRecords{level: slog.LevelInfo}
	f := start(t, Config{Logger: slog.New(logs), Code: fmt.Sprintf(`
		if event.get("n") == 60 && !File.exist?(%[1]q)
		  File.write(%[1]q, Process.pid.to_s)
		  sleep
		end
		event.set("done", true)`, marker)})
	events := numberedEvents(125)
	done := make(chan []*event.Event)
	go func() { done <- runBatch(f, events) }()
	pid, err := strconv.Atoi(waitForFile(t, marker))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	out := <-done
	checkEachOnce(t, out, 125, func(e *event.Event) bool { return e.Includes("done") && !e.Includes("tags") })
	if slices.Contains(f.workerPIDs(), pid) {
		t.Error("the killed worker is still counted as running")
	}
	if !logs.has("WARN The Ruby worker failed on a batch; starting a new one and sending the batch again error=the Ruby worker exited: signal: killed events=125") {
		t.Errorf("log:\n%s", logs.text())
	}
}

// An event that kills every worker it reaches costs its batch one retry;
// then the batch passes on unfiltered, each event tagged once, and the
// next batch gets a new worker.
func TestBatchTaggedWhenTheRetryFailsToo(t *testing.T) {
	logs := &logRecords{level: slog.LevelInfo}
	f := start(t, Config{Logger: slog.New(logs), TagWithExceptionMessage: true,
		Code: `Process.kill(:KILL, Process.pid) if event.get("n") == 3; event.set("done", true)`})
	out := runBatch(f, numberedEvents(10))
	checkEachOnce(t, out, 10, func(e *event.Event) bool {
		tags, _ := e.Get("tags")
		return !e.Includes("done") && fmt.Sprint(tags) == "[_rubyexception: the Ruby worker exited: signal: killed _rubyexception]"
	})
	if !logs.has("ERROR The Ruby worker failed on the batch again; passing its events on unfiltered and tagged") {
		t.Errorf("log:\n%s", logs.text())
	}
	next := numberedEvents(3)
	checkEachOnce(t, runBatch(f, next), 3, func(e *event.Event) bool { return e.Includes("done") && !e.Includes("tags") })
}

// A worker that stops answering is killed after the timeout and the batch
// sent to a new one.
func TestHungWorkerIsReplaced(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "hung")
	logs := &logRecords{level: slog.LevelInfo}
	f := start(t, Config{Logger: slog.New(logs), Timeout: 3 * time.Second, Code: fmt.Sprintf(`
		if event.get("n") == 2 && !File.exist?(%[1]q)
		  File.write(%[1]q, Process.pid.to_s)
		  loop { }
		end
		event.set("done", true)`, marker)})
	out := runBatch(f, numberedEvents(5))
	checkEachOnce(t, out, 5, func(e *event.Event) bool { return e.Includes("done") && !e.Includes("tags") })
	pid, _ := strconv.Atoi(waitForFile(t, marker))
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the hung worker %d is still alive", pid)
	}
	if !strings.Contains(logs.text(), "error=the Ruby worker did not answer in time") {
		t.Errorf("log:\n%s", logs.text())
	}
}

// Workers are started as batches need them, never more than Workers, and
// Close ends them all.
func TestOneWorkerPerPipelineWorker(t *testing.T) {
	f := start(t, Config{Workers: 2, Code: `sleep 0.2; event.set("pid", Process.pid)`})
	results := make(chan []*event.Event, 3)
	for i := 0; i < 3; i++ {
		go func() { results <- runBatch(f, numberedEvents(2)) }()
	}
	pids := map[any]bool{}
	for i := 0; i < 3; i++ {
		for _, e := range <-results {
			v, _ := e.Get("pid")
			pids[v] = true
		}
	}
	if len(pids) > 2 {
		t.Errorf("%d worker processes for 2 pipeline workers", len(pids))
	}
	running := f.workerPIDs()
	f.Close()
	for _, pid := range running {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("worker %d outlived Close", pid)
		}
	}
}

// Workers run with YJIT where the Ruby has it, unless RUBY_YJIT_ENABLE=0.
func TestYJITWhereRubyHasIt(t *testing.T) {
	requireRuby(t)
	rubyPath, _ := exec.LookPath("ruby")
	has := exec.Command(rubyPath, "-e", "exit(defined?(RubyVM::YJIT) ? 0 : 1)").Run() == nil
	const code = `code => 'event.set("jit", !!(defined?(RubyVM::YJIT) && RubyVM::YJIT.enabled?))'`
	jit := func() any {
		out := runBatch(build(t, code), []*event.Event{event.NewEvent()})
		v, _ := out[0].Get("jit")
		return v
	}
	if got := jit(); got != has {
		t.Errorf("YJIT on: %v; the Ruby has it: %v", got, has)
	}
	t.Setenv("RUBY_YJIT_ENABLE", "0")
	if got := jit(); got != false {
		t.Errorf("YJIT on with RUBY_YJIT_ENABLE=0: %v", got)
	}
}
