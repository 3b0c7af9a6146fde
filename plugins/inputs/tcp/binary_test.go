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
// line without end is cut off once the line passes its codec's limit (the
// line codec's 10 MiB default; json_lines set to 1 MiB and sent a 10 MiB
// line), with a log line naming it; a connection opened before and one
// opened after keep working, the process keeps running, and its memory
// grows by a few times the limit at most, not by what was sent (64 MiB
// would be sent, at least, to a server that buffered without bound).
func TestBinaryClosesAConnectionSendingAnOversizedLine(t *testing.T) {
	for _, c := range []struct {
		name, codec string
		limit, send int
		line        func(string) string
	}{
		{"line codec, default limit", "line", 10 << 20, 64 << 20, func(s string) string { return s }},
		{"json_lines codec, limit set", "json_lines { decode_size_limit_bytes => 1048576 }", 1 << 20, 10 << 20, func(s string) string { return `{"message":"` + s + `"}` }},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := inputtest.FreePort(t)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			p := inputtest.StartGostash(t, fmt.Sprintf(`
input { tcp { host => "127.0.0.1" port => %d dns_reverse_lookup_enabled => false codec => %s } }
output { stdout { codec => line { format => "%%{message}" } } }`, port, c.codec), "-w", "1")
			p.Stderr.WaitFor(t, "Starting tcp input listener", 30*time.Second)
			before := inputtest.Dial(t, "tcp", addr)
			defer before.Close()
			fmt.Fprint(before, c.line("before")+"\n")
			p.Stdout.WaitFor(t, "before", 30*time.Second)
			baseline := p.PeakRSS(t)

			flood := inputtest.Dial(t, "tcp", addr)
			defer flood.Close()
			sent := inputtest.FloodUntilClosed(t, flood, bytes.Repeat([]byte("x"), 1<<20), c.send)
			p.Stderr.WaitFor(t, fmt.Sprintf("/%s: closing due: a line is longer than decode_size_limit_bytes (%d bytes)", flood.LocalAddr(), c.limit), 30*time.Second)
			growth := p.PeakRSS(t) - baseline
			t.Logf("sent %d bytes before the close; peak RSS grew by %d bytes", sent, growth)
			// The buffer doubles up to the limit, so it and the garbage it
			// leaves come to about twice the limit; 8 MiB is for the rest
			// of the process (a 64 KiB read buffer, the runtime).
			if bound := int64(3*c.limit + 8<<20); growth > bound {
				t.Errorf("peak RSS grew by %d bytes, more than %d (3 times the %d-byte limit and 8 MiB)", growth, bound, c.limit)
			}

			fmt.Fprint(before, c.line("after")+"\n")
			p.Stdout.WaitFor(t, "after", 30*time.Second)
			later := inputtest.Dial(t, "tcp", addr)
			fmt.Fprint(later, c.line("later")+"\n")
			later.Close()
			p.Stdout.WaitFor(t, "later", 30*time.Second)
			if strings.Contains(p.Stdout.String(), "xxxx") {
				t.Error("part of the oversized line became an event")
			}
			if err := p.Stop(t); err != nil {
				t.Fatalf("exit: %v\n%s", err, p.Stderr)
			}
		})
	}
}
