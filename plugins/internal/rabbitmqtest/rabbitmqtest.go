// Package rabbitmqtest is what the rabbitmq input and output tests share:
// the RabbitMQ node scripts/rabbitmq/rabbitmq.sh runs on 127.0.0.1
// (required under CI=true, skipped with a message otherwise), a private
// node for tests that restart the broker, an independent client (Debian's
// python3-pika, driven through pika_client.py) to publish, declare and read
// back, and runs of the gostash binary with a stdin the test writes to.
package rabbitmqtest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gostash/gostash/internal/goldencase"
)

// python is Debian's interpreter, which has python3-pika; a python3 of
// another installation on PATH would not.
const python = "/usr/bin/python3"

// Port is the node's AMQP port: GOSTASH_RABBITMQ_PORT, as for
// rabbitmq.sh, else 5672.
func Port() int {
	if p, err := strconv.Atoi(os.Getenv("GOSTASH_RABBITMQ_PORT")); err == nil {
		return p
	}
	return 5672
}

// Broker is a node the tests talk to.
type Broker struct {
	Port int
	// run is the state dir of a private node (NewNode), empty for the
	// shared one.
	run string
}

func fail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Require returns the shared test node, failing the test under CI=true
// when it does not answer (or the independent client is missing) and
// skipping it otherwise.
func Require(t testing.TB) *Broker {
	t.Helper()
	b := &Broker{Port: Port()}
	if err := b.answers(); err != nil {
		fail(t, fmt.Sprintf("no RabbitMQ node on 127.0.0.1:%d (start one with `scripts/rabbitmq/rabbitmq.sh up`): %v", b.Port, err))
	}
	requirePika(t)
	return b
}

func requirePika(t testing.TB) {
	t.Helper()
	if err := exec.Command(python, "-c", "import pika").Run(); err != nil {
		fail(t, fmt.Sprintf("the tests' independent AMQP client needs Debian's python3-pika (apt-get install -y python3-pika): %v", err))
	}
}

func (b *Broker) answers() error {
	conn, err := amqp.DialConfig(fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", b.Port),
		amqp.Config{Dial: amqp.DefaultDial(5 * time.Second)})
	if err != nil {
		return err
	}
	return conn.Close()
}

// TLSHost is the address of the node's TLS listener (the port below the
// AMQP one, as rabbitmq.sh sets it up).
func (b *Broker) TLSHost() string { return fmt.Sprintf("127.0.0.1:%d", b.Port-1) }

// TLSFile is a file of the node's test PKI (rabbitmq.sh writes it): ca.pem,
// client.p12 (signed by that CA, with the CA; password changeit) or
// untrusted.p12 (a certificate of another CA).
func (b *Broker) TLSFile(t testing.TB, name string) string {
	t.Helper()
	run := b.run
	if run == "" {
		if run = os.Getenv("GOSTASH_RABBITMQ_RUN"); run == "" {
			run = filepath.Join(os.TempDir(), "gostash-rabbitmq")
		}
	}
	path := filepath.Join(run, "tls", name)
	if _, err := os.Stat(path); err != nil {
		fail(t, fmt.Sprintf("the node's TLS files are missing (restart it with `scripts/rabbitmq/rabbitmq.sh down && scripts/rabbitmq/rabbitmq.sh up`): %v", err))
	}
	return path
}

// Host is the broker's address as the plugins' host option takes it.
func (b *Broker) Host() string { return fmt.Sprintf("127.0.0.1:%d", b.Port) }

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// NewNode starts a private node on a free port with its own state dir,
// for a test that stops and starts the broker without disturbing the
// tests of other packages on the shared node; it is removed at the end of
// the test. It needs rabbitmq-server installed (rabbitmq.sh installs it).
func NewNode(t testing.TB) *Broker {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a RabbitMQ node of its own")
	}
	if _, err := os.Stat("/usr/lib/rabbitmq/bin/rabbitmq-server"); err != nil {
		fail(t, "rabbitmq-server is not installed (scripts/rabbitmq/rabbitmq.sh up installs it)")
	}
	requirePika(t)
	b := &Broker{Port: freePortPair(t), run: t.TempDir()}
	b.script(t, "up")
	t.Cleanup(func() { b.script(t, "down") })
	return b
}

// freePortPair finds a port that is free, and so are the TLS port below
// it and the Erlang distribution port RabbitMQ derives from it (+ 20000).
func freePortPair(t testing.TB) int {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if port+20000 > 65535 {
			continue
		}
		free := true
		for _, p := range []int{port - 1, port + 20000} {
			if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
				l.Close()
			} else {
				free = false
			}
		}
		if free {
			return port
		}
	}
	t.Fatal("no free port pair for a RabbitMQ node")
	return 0
}

func (b *Broker) script(t testing.TB, command string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "rabbitmq", "rabbitmq.sh"), command)
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOSTASH_RABBITMQ_PORT=%d", b.Port), "GOSTASH_RABBITMQ_RUN="+b.run)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rabbitmq.sh %s: %v\n%s", command, err, out)
	}
}

// Stop stops a private node, keeping its state.
func (b *Broker) Stop(t testing.TB) {
	t.Helper()
	if b.run == "" {
		t.Fatal("only a private node (NewNode) may be stopped")
	}
	b.script(t, "stop")
}

// Start starts a stopped private node again.
func (b *Broker) Start(t testing.TB) {
	t.Helper()
	b.script(t, "start")
}

// Name returns a queue or exchange name unique to this run of the test.
func Name(t testing.TB) string {
	var r [4]byte
	rand.Read(r[:])
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	return "gostash-test-" + name + "-" + hex.EncodeToString(r[:])
}

func (b *Broker) pika(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "pika_client.py")
	cmd := exec.Command(python, append([]string{script, strconv.Itoa(b.Port)}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pika_client.py %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func jsonLine(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// Binding is a queue, and optionally the exchange it is bound to.
type Binding struct {
	Queue    string `json:"queue"`
	Durable  bool   `json:"durable,omitempty"`
	Exchange string `json:"exchange,omitempty"`
	Type     string `json:"type,omitempty"`
	Key      string `json:"key,omitempty"`
}

// Declare declares queues, exchanges and bindings with the independent
// client; they are deleted at the end of the test.
func (b *Broker) Declare(t testing.TB, bindings ...Binding) {
	t.Helper()
	var in strings.Builder
	for _, d := range bindings {
		in.WriteString(jsonLine(t, d))
	}
	b.pika(t, in.String(), "declare")
	t.Cleanup(func() {
		for _, d := range bindings {
			args := []string{"delete", d.Queue}
			if d.Type != "" {
				args = append(args, d.Exchange)
			}
			if b.answers() == nil {
				b.pika(t, "", args...)
			}
		}
	})
}

// Delete deletes a queue with the independent client.
func (b *Broker) Delete(t testing.TB, queue string) {
	t.Helper()
	b.pika(t, "", "delete", queue)
}

// Message is a message as the independent client sends or received it.
type Message struct {
	Exchange    string         `json:"exchange"`
	Key         string         `json:"key,omitempty"`
	RoutingKey  string         `json:"routing_key,omitempty"`
	Body        string         `json:"body"`
	Redelivered bool           `json:"redelivered,omitempty"`
	Properties  map[string]any `json:"properties,omitempty"`
}

// Publish sends messages with the independent client, each confirmed by
// the broker.
func (b *Broker) Publish(t testing.TB, msgs ...Message) {
	t.Helper()
	var in strings.Builder
	for _, m := range msgs {
		in.WriteString(jsonLine(t, m))
	}
	b.pika(t, in.String(), "publish")
}

// Get takes up to n messages off queue with the independent client,
// acknowledging them; it stops early when none came for idle.
func (b *Broker) Get(t testing.TB, queue string, n int, idle time.Duration) []Message {
	t.Helper()
	out := b.pika(t, "", "get", queue, strconv.Itoa(n), strconv.FormatFloat(idle.Seconds(), 'f', -1, 64))
	var msgs []Message
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("pika_client.py get printed %q: %v", sc.Text(), err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// Count is the number of ready messages in queue.
func (b *Broker) Count(t testing.TB, queue string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(b.pika(t, "", "count", queue)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// WaitCount waits until queue holds want ready messages.
func (b *Broker) WaitCount(t testing.TB, queue string, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n := b.Count(t, queue)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s holds %d messages after %v, want %d", queue, n, timeout, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Gostash is a running gostash binary.
type Gostash struct {
	cmd    *exec.Cmd
	Stdin  io.WriteCloser
	stdout lines
	stderr lines
	done   chan struct{}
	err    error
}

type lines struct {
	mu      sync.Mutex
	all     []string
	changed chan struct{}
}

func (l *lines) collect(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		l.mu.Lock()
		l.all = append(l.all, sc.Text())
		l.mu.Unlock()
		select {
		case l.changed <- struct{}{}:
		default:
		}
	}
}

func (l *lines) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.all...)
}

// StartGostash runs the binary (goldencase.Binary: the package's TestMain
// calls goldencase.Main) with a config (-e) and a stdin the test writes;
// it is killed at the end of the test if it still runs. -short skips the
// test, as the other binary-driven tests do.
func StartGostash(t testing.TB, config string, args ...string) *Gostash {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the gostash binary")
	}
	cmd := exec.Command(goldencase.Binary(t), append([]string{"-e", config, "--api.enabled", "false"}, args...)...)
	cmd.Env = append(os.Environ(), "GOSTASH_NOW="+goldencase.Now)
	g := &Gostash{cmd: cmd, done: make(chan struct{}),
		stdout: lines{changed: make(chan struct{}, 1)}, stderr: lines{changed: make(chan struct{}, 1)}}
	var err error
	if g.Stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	cmd.Stdout, cmd.Stderr = outW, errW
	var readers sync.WaitGroup
	readers.Go(func() { g.stdout.collect(outR) })
	readers.Go(func() { g.stderr.collect(errR) })
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		g.err = cmd.Wait()
		outW.Close()
		errW.Close()
		readers.Wait()
		close(g.done)
	}()
	t.Cleanup(func() {
		select {
		case <-g.done:
		default:
			cmd.Process.Kill()
			<-g.done
		}
		if t.Failed() {
			t.Logf("gostash's log:\n%s", g.Stderr())
		}
	})
	return g
}

// Stdout is what gostash printed so far, line by line.
func (g *Gostash) Stdout() []string { return g.stdout.get() }

// Stderr is its log so far.
func (g *Gostash) Stderr() string { return strings.Join(g.stderr.get(), "\n") }

// WaitStdout waits until stdout has n lines and returns them.
func (g *Gostash) WaitStdout(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if got := g.stdout.get(); len(got) >= n {
			return got
		}
		select {
		case <-g.stdout.changed:
		case <-g.done:
			if got := g.stdout.get(); len(got) >= n {
				return got
			}
			t.Fatalf("gostash exited (%v) after %d of %d lines\nstderr:\n%s", g.err, len(g.stdout.get()), n, g.Stderr())
		case <-deadline.C:
			t.Fatalf("%d of %d lines within %v\nstderr:\n%s", len(g.stdout.get()), n, timeout, g.Stderr())
		}
	}
}

// WaitStderr waits until the log has a line containing s.
func (g *Gostash) WaitStderr(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !strings.Contains(g.Stderr(), s) {
		select {
		case <-g.stderr.changed:
		case <-g.done:
			if strings.Contains(g.Stderr(), s) {
				return
			}
			t.Fatalf("gostash exited (%v) without logging %q:\n%s", g.err, s, g.Stderr())
		case <-deadline.C:
			t.Fatalf("no %q in the log within %v:\n%s", s, timeout, g.Stderr())
		}
	}
}

// Wait waits for gostash to exit by itself and returns its error.
func (g *Gostash) Wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	select {
	case <-g.done:
		return g.err
	case <-time.After(timeout):
		t.Fatalf("gostash did not exit within %v\nstderr:\n%s", timeout, g.Stderr())
		return nil
	}
}

// Stop sends SIGTERM and waits for the graceful exit.
func (g *Gostash) Stop(t testing.TB) error {
	t.Helper()
	g.cmd.Process.Signal(syscall.SIGTERM)
	return g.Wait(t, 60*time.Second)
}

// Kill ends gostash at once (SIGKILL), as a crash would.
func (g *Gostash) Kill(t testing.TB) {
	t.Helper()
	g.cmd.Process.Kill()
	<-g.done
}
