package tcp_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/inputtest"
)

// netcat (Debian's netcat-openbsd) sends lines to the real binary; -N
// shuts the connection down at the end of its input, so the last line
// without a newline is flushed as an event too. The input's
// ecs_compatibility does not reach its codec, which follows the pipeline's
// (v8) and keeps [event][original], as in Logstash.
func TestBinaryReadsLinesFromNetcat(t *testing.T) {
	nc, err := exec.LookPath("nc")
	if err != nil {
		t.Fatal("nc (netcat-openbsd) is needed: apt-get install -y netcat-openbsd")
	}
	port := inputtest.FreePort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { tcp { host => "127.0.0.1" port => %d dns_reverse_lookup_enabled => false ecs_compatibility => disabled } }
filter { mutate { remove_field => ["port"] } }
output { stdout { codec => json_lines } }`, port), "-w", "1")
	p.Stderr.WaitFor(t, "Starting tcp input listener", 30*time.Second)
	send := func(text string) {
		for {
			cmd := exec.Command(nc, "-N", "127.0.0.1", fmt.Sprint(port))
			cmd.Stdin = strings.NewReader(text)
			if out, err := cmd.CombinedOutput(); err == nil {
				return
			} else if !strings.Contains(string(out), "refused") {
				t.Fatalf("nc: %v %s", err, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	send("one\ntwo\nthree")
	lines := p.Stdout.WaitN(t, 3, 30*time.Second)
	want := []string{
		`{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"one","event":{"original":"one"},"host":"127.0.0.1"}`,
		`{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"two","event":{"original":"two"},"host":"127.0.0.1"}`,
		`{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"three","event":{"original":"three"},"host":"127.0.0.1"}`,
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
}

// TestBinaryClosesAConnectionSendingAnOversizedLine: a peer that sends a
// line without end is cut off once the line passes the line codec's limit
// (10 MiB by default), with a log line naming it; a connection opened
// before and one opened after keep working, the process keeps running, and
// its memory grows by a few times the limit at most, not by what was sent.
func TestBinaryClosesAConnectionSendingAnOversizedLine(t *testing.T) {
	port := inputtest.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { tcp { host => "127.0.0.1" port => %d dns_reverse_lookup_enabled => false } }
output { stdout { codec => line { format => "%%{message}" } } }`, port), "-w", "1")
	p.Stderr.WaitFor(t, "Starting tcp input listener", 30*time.Second)
	before := inputtest.Dial(t, "tcp", addr)
	defer before.Close()
	fmt.Fprint(before, "before\n")
	p.Stdout.WaitFor(t, "before", 30*time.Second)
	baseline := p.PeakRSS(t)

	const limit = 10 << 20
	flood := inputtest.Dial(t, "tcp", addr)
	defer flood.Close()
	sent := inputtest.FloodUntilClosed(t, flood, bytes.Repeat([]byte("x"), 1<<20), 64<<20)
	p.Stderr.WaitFor(t, fmt.Sprintf("/%s: closing due: a line is longer than decode_size_limit_bytes (%d bytes)", flood.LocalAddr(), limit), 30*time.Second)
	growth := p.PeakRSS(t) - baseline
	t.Logf("sent %d bytes before the close; peak RSS grew by %d bytes", sent, growth)
	if growth > 4*limit {
		t.Errorf("peak RSS grew by %d bytes, more than 4 times the %d-byte limit", growth, limit)
	}

	fmt.Fprint(before, "after\n")
	p.Stdout.WaitFor(t, "after", 30*time.Second)
	later := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(later, "later\n")
	later.Close()
	p.Stdout.WaitFor(t, "later", 30*time.Second)
	if strings.Contains(p.Stdout.String(), "xxxx") {
		t.Error("part of the oversized line became an event")
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
}
