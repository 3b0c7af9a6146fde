package tcp_test

import (
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
