// Package e2e runs the gostash binary with kafka pipelines against the test
// broker: the blog's producer/consumer chain, interop with kcat, scale-out
// in a consumer group, and the fault cases (kill -9 of a consumer, a broker
// restart under a producer). The long cases are skipped by `go test -short`.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// proc is a running gostash.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs gostash on config; stdin, when given, feeds its standard input.
func start(t *testing.T, config string, stdin *os.File, args ...string) *proc {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pipeline.conf")
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(goldencase.Binary(t), append([]string{"-f", file}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if stdin != nil {
		p.cmd.Stdin = stdin
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("gostash (%d bytes of stdout) stderr:\n%s", len(p.stdout.String()), tail(p.stderr.String(), 30))
		}
	})
	return p
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// wait waits for gostash to exit by itself.
func (p *proc) wait(timeout time.Duration) {
	p.t.Helper()
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Fatalf("gostash: %v\n%s", err, tail(p.stderr.String(), 20))
		}
	case <-time.After(timeout):
		p.t.Fatalf("gostash did not finish within %s\n%s", timeout, tail(p.stderr.String(), 20))
	}
}

// stop shuts gostash down as a service manager would (SIGTERM).
func (p *proc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(60 * time.Second)
}

// kill ends gostash with SIGKILL: no shutdown, no final commit.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// jsonLines parses the json_lines gostash wrote so far; a last line cut
// short by a kill is ignored.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			continue
		}
		out = append(out, m)
	}
	return out
}

// waitUntil polls cond every 100ms until it holds or timeout passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// blogConsumerConfig is the blog's consumer pipeline (blog-consumer.conf):
// the topic read from the start as JSON and printed as rubydebug, with the
// test's broker and topic (also its group id).
func blogConsumerConfig(brokers, topic string) string {
	return fmt.Sprintf(`input {
  kafka {
    bootstrap_servers => %q
    topics => [%q]
    group_id => %q
    auto_offset_reset => "earliest"
    codec => json
  }
}

output {
  stdout {
    codec => rubydebug
  }
}
`, brokers, topic, topic)
}

// consumerConfig is a kafka → json_lines pipeline exposing the record's
// Kafka coordinates as a [kafka] field.
func consumerConfig(brokers, topic, group string, extra string) string {
	return fmt.Sprintf(`input {
  kafka {
    bootstrap_servers => %q
    topics => [%q]
    group_id => %q
    auto_offset_reset => "earliest"
    decorate_events => "extended"
    %s
  }
}
filter { mutate { copy => { "[@metadata][kafka]" => "[kafka]" } } }
output { stdout { codec => json_lines } }
`, brokers, topic, group, extra)
}

func kcat(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat is not installed (apt-get install -y kcat)")
		}
		t.Skip("kcat is not installed (apt-get install -y kcat)")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}
