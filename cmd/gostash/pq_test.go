package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// pqSettings writes a logstash.yml for a persisted queue in dir and
// returns the settings directory. Small pages make the run seal and delete
// many of them; checkpoint.writes 1 makes each push durable before the
// generator goes on.
func pqSettings(t *testing.T, dir string) string {
	t.Helper()
	settingsDir := filepath.Join(dir, "settings")
	if err := os.MkdirAll(settingsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf(`queue:
  type: persisted
  drain: true
  page_capacity: 64kb
  max_bytes: 256mb
  checkpoint.writes: 1
path.queue: %s
api.enabled: false
`, filepath.Join(dir, "queue"))
	if err := os.WriteFile(filepath.Join(settingsDir, "logstash.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	return settingsDir
}

// sequenceOutput prints each event's generator sequence on its own line.
const sequenceOutput = `output { stdout { codec => line { format => "%{[event][sequence]}" } } }`

// runningGostash is a gostash process whose stdout the test reads at its
// own pace (the output blocks when the pipe is full: a slow output) and
// whose log it watches.
type runningGostash struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	mu     sync.Mutex
	log    bytes.Buffer
	seen   map[string]chan struct{}
	logEOF chan struct{}
}

func startGostash(t *testing.T, settingsDir, config string, watch ...string) *runningGostash {
	t.Helper()
	cmd := exec.Command(goldencase.Binary(t), "--path.settings", settingsDir, "-w", "2", "-b", "125", "-e", config)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	g := &runningGostash{cmd: cmd, stdout: bufio.NewReader(stdout), seen: map[string]chan struct{}{}, logEOF: make(chan struct{})}
	for _, w := range watch {
		g.seen[w] = make(chan struct{})
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(g.logEOF)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			g.mu.Lock()
			g.log.WriteString(line + "\n")
			for w, c := range g.seen {
				if strings.Contains(line, w) {
					close(c)
					delete(g.seen, w)
				}
			}
			g.mu.Unlock()
		}
	}()
	return g
}

func (g *runningGostash) logText() string {
	<-g.logEOF
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.log.String()
}

// waitLog waits for a log line containing text.
func (g *runningGostash) waitLog(t *testing.T, text string) {
	t.Helper()
	g.mu.Lock()
	c := g.seen[text]
	g.mu.Unlock()
	select {
	case <-c:
	case <-g.logEOF:
		t.Fatalf("gostash ended before logging %q:\n%s", text, g.logText())
	case <-time.After(60 * time.Second):
		g.cmd.Process.Kill()
		t.Fatalf("no %q in the log:\n%s", text, g.logText())
	}
}

// readSequences reads n lines of sequences (n < 0: to the end). A last
// line cut short by the kill is not a delivered event.
func (g *runningGostash) readSequences(t *testing.T, n int, into map[int]int) int {
	t.Helper()
	read := 0
	for n < 0 || read < n {
		line, err := g.stdout.ReadString('\n')
		if err == io.EOF {
			return read
		}
		if err != nil {
			t.Fatal(err)
		}
		seq, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("unexpected output line %q", line)
		}
		into[seq]++
		read++
	}
	return read
}

// replay restarts gostash on the same queue with an input that ends at
// once (stdin at EOF): queue.drain makes it deliver every event left in the
// queue, then exit.
func replay(t *testing.T, settingsDir string, into map[int]int) (int, string) {
	t.Helper()
	g := startGostash(t, settingsDir, `input { stdin {} } `+sequenceOutput)
	n := g.readSequences(t, -1, into)
	log := g.logText()
	if err := g.cmd.Wait(); err != nil {
		t.Fatalf("replay run: %v\n%s", err, log)
	}
	return n, log
}

// TestKill9WithPersistedQueueLosesNoAcknowledgedEvent kills gostash with
// SIGKILL while a slow output is part way through a persisted queue, then
// restarts it: every event the queue acknowledged (here: every event the
// generator handed over, since it had finished) is delivered, by the first
// run or by the replay. Duplicates (events delivered but not yet recorded
// as acknowledged) are counted and reported.
func TestKill9WithPersistedQueueLosesNoAcknowledgedEvent(t *testing.T) {
	const events = 30000
	dir := t.TempDir()
	settingsDir := pqSettings(t, dir)
	const draining = "Draining the persisted queue"
	g := startGostash(t, settingsDir, fmt.Sprintf(`input { generator { count => %d message => "m" } } `, events)+sequenceOutput, draining)
	// The test does not read stdout yet, so the output blocks on the full
	// pipe while the generator fills the queue. The drain message comes
	// once the generator finished: every push returned, every event was
	// acknowledged by the queue.
	g.waitLog(t, draining)
	delivered := map[int]int{}
	g.readSequences(t, 1000, delivered)
	if err := g.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first := g.readSequences(t, -1, delivered) + 1000
	g.cmd.Wait()
	if first >= events {
		t.Fatalf("the first run delivered all %d events before the kill: nothing left to replay", first)
	}

	replayed, log := replay(t, settingsDir, delivered)
	var missing []int
	duplicates := 0
	for seq := range events {
		switch n := delivered[seq]; {
		case n == 0:
			missing = append(missing, seq)
		case n > 1:
			duplicates += n - 1
		}
	}
	t.Logf("first run delivered %d events before and after the kill -9, the restart %d: %d duplicates, %d lost",
		first, replayed, duplicates, len(missing))
	if len(missing) > 0 {
		t.Fatalf("%d acknowledged events lost, first %v\n%s", len(missing), missing[:min(10, len(missing))], log)
	}
	if len(delivered) != events {
		t.Fatalf("delivered %d distinct events, want %d", len(delivered), events)
	}
	// Replayed twice: what the outputs finished since the page's last
	// acknowledgement checkpoint (at most a page of 64kb, a few hundred
	// events) and the batches in flight.
	if duplicates > 2000 {
		t.Fatalf("%d duplicates: more than was in flight", duplicates)
	}
	if strings.Contains(log, "[ERROR]") {
		t.Fatalf("the restart reported errors:\n%s", log)
	}
}

// TestKill9WhileWritingRecoversTheQueue kills gostash while an endless
// generator is writing into the persisted queue, possibly in the middle of
// a record. The restart must open the queue, drop at most a record cut
// short, and deliver the rest: the events seen over both runs are every
// sequence from 0 up to the highest, with no hole.
func TestKill9WhileWritingRecoversTheQueue(t *testing.T) {
	dir := t.TempDir()
	settingsDir := pqSettings(t, dir)
	g := startGostash(t, settingsDir, `input { generator { message => "m" } } `+sequenceOutput)
	delivered := map[int]int{}
	g.readSequences(t, 5000, delivered)
	if err := g.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	g.readSequences(t, -1, delivered)
	g.cmd.Wait()
	highestFirst := 0
	for seq := range delivered {
		highestFirst = max(highestFirst, seq)
	}

	replayed, log := replay(t, settingsDir, delivered)
	highest := 0
	duplicates := 0
	for seq, n := range delivered {
		highest = max(highest, seq)
		duplicates += n - 1
	}
	var holes []int
	for seq := 0; seq <= highest; seq++ {
		if delivered[seq] == 0 {
			holes = append(holes, seq)
		}
	}
	t.Logf("first run delivered up to %d, the restart replayed %d events up to %d: %d duplicates", highestFirst, replayed, highest, duplicates)
	if len(holes) > 0 {
		t.Fatalf("%d events missing below %d, first %v\n%s", len(holes), highest, holes[:min(10, len(holes))], log)
	}
	if replayed == 0 || highest <= highestFirst {
		t.Fatalf("nothing was replayed after the kill\n%s", log)
	}
	if strings.Contains(log, "[ERROR]") {
		t.Fatalf("the restart reported errors:\n%s", log)
	}
}

// TestTinyMaxBytesIsBackPressure: a persisted queue capped at two pages
// fills while the output is held (the test does not read), the generator
// waits, the log says why, and once the output moves every event arrives
// exactly once.
func TestTinyMaxBytesIsBackPressure(t *testing.T) {
	const events = 20000
	dir := t.TempDir()
	settingsDir := pqSettings(t, dir)
	yml, _ := os.ReadFile(filepath.Join(settingsDir, "logstash.yml"))
	yml = bytes.Replace(yml, []byte("max_bytes: 256mb"), []byte("max_bytes: 128kb"), 1)
	if err := os.WriteFile(filepath.Join(settingsDir, "logstash.yml"), yml, 0o644); err != nil {
		t.Fatal(err)
	}
	const full = "Persisted queue is full"
	g := startGostash(t, settingsDir, fmt.Sprintf(`input { generator { count => %d message => "m" } } `, events)+sequenceOutput, full)
	g.waitLog(t, full)
	delivered := map[int]int{}
	n := g.readSequences(t, -1, delivered)
	log := g.logText()
	if err := g.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, log)
	}
	if n != events || len(delivered) != events {
		t.Fatalf("delivered %d events, %d distinct, want %d\n%s", n, len(delivered), events, log)
	}
	if strings.Contains(log, "[ERROR]") {
		t.Fatalf("errors:\n%s", log)
	}
}
