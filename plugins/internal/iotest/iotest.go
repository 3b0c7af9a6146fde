// Package iotest builds the network and process plugins from config text
// in their package tests, and collects what they emit and log.
package iotest

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// Log is a logger writing Logstash-shaped lines to a buffer tests read.
type Log struct {
	// Level is what plugins built with this log log at (info by default).
	Level slog.Level
	mu    sync.Mutex
	buf   bytes.Buffer
}

// Write takes the handler's lines.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Logger returns a logger writing to l at l.Level.
func (l *Log) Logger() *slog.Logger {
	return slog.New(logging.NewLogHandler(l, l.Level))
}

// WaitFor waits until the log holds text, failing the test after a
// generous deadline.
func (l *Log) WaitFor(t testing.TB, text string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(l.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never showed %q; it holds:\n%s", text, l.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Build configures a plugin of kind from its config block (`tcp { port =>
// 1 }`), with the pipeline's default settings and ecs mode, logging to
// log (which may be nil) at its Level. It fails the test on a config error.
func Build(t testing.TB, kind plugin.Kind, block string, log *Log) any {
	t.Helper()
	p, diags := TryBuild(kind, block, log)
	if p == nil {
		t.Fatal(diags)
	}
	return p
}

// TryBuild is Build returning the diagnostics, for tests of config errors.
func TryBuild(kind plugin.Kind, block string, log *Log) (any, string) {
	src := string(kind) + " { " + block + " }"
	cfg, diags := lang.Parse("t.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		return nil, diags.Format(nil)
	}
	ctx := &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1), Sources: map[string][]byte{"t.conf": []byte(src)}}
	ctx.Logger = slog.New(slog.DiscardHandler)
	if log != nil {
		ctx.Logger = log.Logger()
	}
	inst, diags := plugin.Build(kind, cfg.Sections[0].Body[0].(*lang.Plugin), ctx)
	if inst == nil {
		return nil, diags.Format(ctx.Sources)
	}
	return inst.Plugin, diags.Format(ctx.Sources)
}

// Emitter hands each event an input emits to a channel, as the pipeline's
// queue takes them (a full channel holds the input back).
type Emitter chan *event.Event

// Emit takes a decorated or undecorated event alike.
func (c Emitter) Emit(e *event.Event) { c <- e }

// Decorate does nothing: tests see the input's own fields.
func (c Emitter) Decorate(*event.Event) {}

// EmitDecorated takes an event.
func (c Emitter) EmitDecorated(e *event.Event) { c <- e }

// Next waits for the next event, failing the test after a generous
// deadline.
func (c Emitter) Next(t testing.TB) *event.Event {
	t.Helper()
	select {
	case e := <-c:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no event came")
		return nil
	}
}

// RunInput runs an input until the test ends, returning the emitter its
// events arrive on.
func RunInput(t testing.TB, in plugin.Input) Emitter {
	t.Helper()
	out := make(Emitter, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := in.Run(ctx, out); err != nil {
			t.Errorf("input: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the input did not stop")
		}
	})
	return out
}

// Field is an event's field as text ("" when missing).
func Field(e *event.Event, ref string) string {
	v, ok := e.Get(ref)
	if !ok {
		return ""
	}
	return event.ValueString(v)
}

// Event makes an event with the given fields, stamped with a fixed time.
func Event(kv ...any) *event.Event {
	e := event.NewEvent()
	e.SetTimestamp(event.Timestamp{Time: time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)})
	for i := 0; i < len(kv); i += 2 {
		_ = e.Set(kv[i].(string), kv[i+1])
	}
	return e
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Process is a program a test runs, with its output collected.
type Process struct {
	Cmd    *exec.Cmd
	Stdout Log
	Stderr Log
}

// Start runs a program (an independent server or client such as openssl
// or nc) until the test ends; its output is kept in the Process. Without
// the program the test is skipped, or fails under CI (CI=true), which
// installs it.
func Start(t testing.TB, name string, args ...string) *Process {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed", name)
		}
		t.Skipf("%s is not installed", name)
	}
	p := &Process{Cmd: exec.Command(path, args...)}
	p.Cmd.Stdout, p.Cmd.Stderr = &p.Stdout, &p.Stderr
	stdin, err := p.Cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		p.Cmd.Process.Kill()
		p.Cmd.Wait()
	})
	return p
}

// WaitListening waits until something accepts TCP connections at addr.
func WaitListening(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
