package file_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gostash/gostash/internal/goldencase"
)

// TestMain removes the binary goldencase builds for the end-to-end tests.
func TestMain(m *testing.M) { goldencase.Main(m) }

// fileInputDeadline bounds each wait of the tests through the binary; it
// only turns a hang into a failure.
const fileInputDeadline = 2 * time.Minute

// numbered is line n of the test files: fixed width, so a byte offset
// names a line.
func numbered(n int) string { return fmt.Sprintf("line %09d", n) }

const numberedLen = len("line 000000000\n")

// lineReader collects what a gostash process prints, one message per line.
type lineReader struct {
	mu    sync.Mutex
	lines []string
	seen  map[string]int
	grew  chan struct{}
	done  chan struct{}
}

func readLines(r io.Reader) *lineReader {
	lr := &lineReader{seen: map[string]int{}, grew: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(lr.done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lr.mu.Lock()
			lr.lines = append(lr.lines, sc.Text())
			lr.seen[sc.Text()]++
			lr.mu.Unlock()
			select {
			case lr.grew <- struct{}{}:
			default:
			}
		}
	}()
	return lr
}

// waitFor waits until ok holds for the lines read so far.
func (lr *lineReader) waitFor(t *testing.T, what string, ok func(lines []string, seen map[string]int) bool) {
	t.Helper()
	timeout := time.After(fileInputDeadline)
	for {
		lr.mu.Lock()
		good := ok(lr.lines, lr.seen)
		n := len(lr.lines)
		lr.mu.Unlock()
		if good {
			return
		}
		select {
		case <-lr.grew:
		case <-lr.done:
			lr.mu.Lock()
			good = ok(lr.lines, lr.seen)
			lr.mu.Unlock()
			if !good {
				t.Fatalf("gostash's output ended before %s (%d lines)", what, n)
			}
			return
		case <-timeout:
			t.Fatalf("waiting for %s; %d lines so far", what, n)
		}
	}
}

// startPipelineProcess runs gostash with a config; its stdout is read line by line.
func startPipelineProcess(t *testing.T, workers int, config string) (*exec.Cmd, *lineReader, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(goldencase.Binary(t), "--api.enabled", "false", "-w", strconv.Itoa(workers), "-e", config)
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, readLines(stdout), stderr
}

// stopPipelineProcess stops it with SIGTERM and waits for a clean exit.
func stopPipelineProcess(t *testing.T, cmd *exec.Cmd, lr *lineReader, stderr *strings.Builder) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	<-lr.done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("gostash: %v\n%s", err, stderr)
	}
}

// TestFileInputKill9ResumesWithoutLoss kills gostash (SIGKILL) in the
// middle of a file and starts it again: every line comes out, the sincedb
// never covers a line that was not printed, and the restart reads again
// exactly the lines after the recorded position.
func TestFileInputKill9ResumesWithoutLoss(t *testing.T) {
	dir := t.TempDir()
	path, db := filepath.Join(dir, "big.log"), filepath.Join(dir, "sincedb")
	const total = 300000
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 1; i <= total; i++ {
		w.WriteString(numbered(i) + "\n")
	}
	w.Flush()
	f.Close()
	config := fmt.Sprintf(`input { file { path => "%s" start_position => beginning sincedb_path => "%s" sincedb_write_interval => 0 stat_interval => "50 ms" } }
output { stdout { codec => line { format => "%%{message}" } } }`, path, db)

	// One worker keeps the output in file order.
	cmd, first, _ := startPipelineProcess(t, 1, config)
	first.waitFor(t, "a third of the file", func(lines []string, _ map[string]int) bool { return len(lines) >= total/3 })
	cmd.Process.Signal(syscall.SIGKILL)
	<-first.done
	cmd.Wait()

	sdb, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(sdb))
	if len(fields) < 6 {
		t.Fatalf("sincedb after kill -9: %q", sdb)
	}
	pos, _ := strconv.Atoi(fields[3])
	if pos%numberedLen != 0 {
		t.Fatalf("sincedb position %d is not at a line boundary", pos)
	}
	committed := pos / numberedLen
	for i := 1; i <= committed; i++ {
		if first.seen[numbered(i)] == 0 {
			t.Fatalf("the sincedb covers line %d, which was never printed (position %d)", i, pos)
		}
	}

	cmd2, second, stderr2 := startPipelineProcess(t, 1, config)
	second.waitFor(t, "the rest of the file", func(_ []string, seen map[string]int) bool { return seen[numbered(total)] > 0 })
	stopPipelineProcess(t, cmd2, second, stderr2)
	if want := numbered(committed + 1); len(second.lines) == 0 || second.lines[0] != want {
		t.Fatalf("restart began at %q, want %q (the line after the sincedb position)", second.lines[0], want)
	}
	lost, dups := 0, 0
	for i := 1; i <= total; i++ {
		n := first.seen[numbered(i)] + second.seen[numbered(i)]
		if n == 0 {
			lost++
		}
		if n > 1 {
			dups += n - 1
		}
	}
	if lost > 0 {
		t.Fatalf("%d lines lost", lost)
	}
	inFlight := len(first.lines) - committed
	if dups != inFlight {
		t.Errorf("%d lines read twice, want exactly the %d printed after the recorded position", dups, inFlight)
	}
	t.Logf("killed after %d lines printed; the sincedb recorded %d; %d lines read twice", len(first.lines), committed, dups)
}

// TestFileInputRotationWhileRunning rotates the followed file by rename and
// by copy-truncate while lines keep coming: every line comes out once.
func TestFileInputRotationWhileRunning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`input { file { path => "%s" start_position => beginning sincedb_path => "%s/sincedb" stat_interval => "20 ms" discover_interval => 1 } }
output { stdout { codec => line { format => "%%{message}" } } }`, path, dir)
	cmd, out, stderr := startPipelineProcess(t, 2, config)

	logf, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { logf.Close() }()
	next := 1
	writeLines := func(n int) {
		for i := 0; i < n; i++ {
			fmt.Fprintln(logf, numbered(next))
			next++
		}
	}
	printed := func(upTo int) {
		out.waitFor(t, numbered(upTo), func(_ []string, seen map[string]int) bool { return seen[numbered(upTo)] > 0 })
	}
	for round := 0; round < 6; round++ {
		writeLines(500)
		// gostash follows the current file before it is rotated, as it
		// would a file that logrotate turns over once a day.
		printed(next - 1)
		writeLines(200)
		if round%2 == 0 {
			// Rotation by rename, the writer reopening its log at the path:
			// the lines not yet read are read from the renamed file.
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			logf.Close()
			if logf, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			// copytruncate: what was written is read first (what the copy
			// takes after that is the copy's alone), then the file is
			// emptied while the writer goes on with its O_APPEND handle.
			printed(next - 1)
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}
		writeLines(300)
	}
	last := next - 1
	printed(last)
	stopPipelineProcess(t, cmd, out, stderr)
	for i := 1; i <= last; i++ {
		if n := out.seen[numbered(i)]; n != 1 {
			t.Errorf("line %d came out %d times", i, n)
		}
	}
	if len(out.lines) != last {
		t.Errorf("%d lines printed, want %d", len(out.lines), last)
	}
}

// TestFileInputHonoursLogstashSincedb starts from a sincedb Logstash wrote
// (current format, with a path): read mode picks up after the recorded
// position and records the end in the same format.
func TestFileInputHonoursLogstashSincedb(t *testing.T) {
	dir := t.TempDir()
	path, db := filepath.Join(dir, "app.log"), filepath.Join(dir, "sincedb")
	var text strings.Builder
	for i := 1; i <= 10; i++ {
		text.WriteString(numbered(i) + "\n")
	}
	if err := os.WriteFile(path, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("%d %d %d", st.Ino, unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)))
	// A record as Logstash writes it, changed a minute ago.
	changed := time.Now().Add(-time.Minute)
	logstash := fmt.Sprintf("%s %d %d.%06d %s\n", key, 4*numberedLen, changed.Unix(), changed.Nanosecond()/1000, path)
	if err := os.WriteFile(db, []byte(logstash), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goldencase.Binary(t), "--api.enabled", "false", "-w", "1", "-e", fmt.Sprintf(
		`input { file { path => "%s" mode => read exit_after_read => true file_completed_action => log file_completed_log_path => "%s/done" sincedb_path => "%s" } }
output { stdout { codec => line { format => "%%{message}" } } }`, path, dir, db))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gostash: %v", err)
	}
	var want strings.Builder
	for i := 5; i <= 10; i++ {
		want.WriteString(numbered(i) + "\n")
	}
	if string(out) != want.String() {
		t.Errorf("printed\n%s\nwant lines 5 to 10\n%s", out, want.String())
	}
	after, _ := os.ReadFile(db)
	fields := strings.Fields(string(after))
	if len(fields) != 6 || strings.Join(fields[:3], " ") != key || fields[3] != strconv.Itoa(10*numberedLen) || fields[5] != path {
		t.Errorf("sincedb after the run: %q", after)
	}
}
