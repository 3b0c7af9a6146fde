// Package inputtest runs the network inputs in their unit tests: it builds
// an input from config text, collects what it emits (holding it back on
// request, to test back-pressure) and finds free ports on 127.0.0.1.
package inputtest

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// Build builds the input a config's input section holds, with the given
// pipeline ECS mode ("" for the default, v8), and returns it with its log.
// It fails the test on a config error.
func Build(t testing.TB, config, ecs string) (plugin.Input, *Logs) {
	t.Helper()
	in, logs, diags := TryBuild(config, ecs)
	if in == nil {
		t.Fatalf("building %q:\n%s", config, diags.Format(nil))
	}
	return in, logs
}

// TryBuild is Build returning the diagnostics instead of failing.
func TryBuild(config, ecs string) (plugin.Input, *Logs, lang.Diagnostics) {
	src := []byte("input { " + config + " }")
	cfg, diags := lang.Parse("test.conf", src, lang.ParseOptions{})
	if diags.HasErrors() {
		return nil, nil, diags
	}
	ps := plugin.DefaultPipelineSettings(1)
	if ecs != "" {
		ps.ECSCompatibility = ecs
	}
	p := cfg.Sections[0].Body[0].(*lang.Plugin)
	logs := &Logs{changed: make(chan struct{}, 1)}
	logger := slog.New(logging.NewLogHandler(logs, slog.LevelDebug))
	inst, diags := plugin.Build(plugin.KindInput, p, &plugin.BuildContext{Pipeline: ps, Sources: map[string][]byte{"test.conf": src}, Logger: logger})
	if inst == nil {
		return nil, logs, diags
	}
	return inst.Plugin.(plugin.Input), logs, diags
}

// Logs is an input's log, in Logstash's line format.
type Logs struct {
	mu      sync.Mutex
	buf     strings.Builder
	changed chan struct{}
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// WaitFor waits until the log holds text.
func (l *Logs) WaitFor(t testing.TB, text string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(l.String(), text) {
		select {
		case <-l.changed:
		case <-deadline:
			t.Fatalf("log never said %q; it holds:\n%s", text, l.String())
		}
	}
}

// Emitter collects the events an input emits. Decorate tags each event
// "decorated", so tests see where decoration happened.
type Emitter struct {
	events  chan *event.Event
	mu      sync.Mutex
	hold    chan struct{} // while non-nil, emitting blocks on it
	waiting chan struct{} // a token per emit blocked by Hold
}

// NewEmitter returns an Emitter that buffers up to capacity events before
// emitting blocks.
func NewEmitter(capacity int) *Emitter {
	return &Emitter{events: make(chan *event.Event, capacity), waiting: make(chan struct{}, 1000)}
}

func (em *Emitter) Emit(e *event.Event) {
	em.Decorate(e)
	em.EmitDecorated(e)
}

func (em *Emitter) Decorate(e *event.Event) { e.Tag("decorated") }

func (em *Emitter) EmitDecorated(e *event.Event) {
	em.mu.Lock()
	hold := em.hold
	em.mu.Unlock()
	if hold != nil {
		em.waiting <- struct{}{}
		<-hold
	}
	em.events <- e
}

// WaitBlocked waits until an emit is blocked by Hold: the input is stuck on
// a full pipeline.
func (em *Emitter) WaitBlocked(t testing.TB) {
	t.Helper()
	select {
	case <-em.waiting:
	case <-time.After(20 * time.Second):
		t.Fatal("no emit blocked within 20s")
	}
}

// Hold makes every emit block until Release: the pipeline is full.
func (em *Emitter) Hold() {
	em.mu.Lock()
	em.hold = make(chan struct{})
	em.mu.Unlock()
}

// Release lets held and later emits through.
func (em *Emitter) Release() {
	em.mu.Lock()
	if em.hold != nil {
		close(em.hold)
		em.hold = nil
	}
	em.mu.Unlock()
}

// Next waits for the next event.
func (em *Emitter) Next(t testing.TB) *event.Event {
	t.Helper()
	select {
	case e := <-em.events:
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20s")
		return nil
	}
}

// NextN waits for n events.
func (em *Emitter) NextN(t testing.TB, n int) []*event.Event {
	t.Helper()
	out := make([]*event.Event, 0, n)
	for len(out) < n {
		out = append(out, em.Next(t))
	}
	return out
}

// Pending is how many emitted events nobody took yet.
func (em *Emitter) Pending() int { return len(em.events) }

// Start runs in until the returned stop is called; stop cancels the run,
// waits for Run to return and gives its error.
func Start(t testing.TB, in plugin.Input, em plugin.Emitter) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, em) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Error("input did not stop within 20s")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// Dial connects to addr, retrying while the input is still starting.
func Dial(t testing.TB, network, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial(network, addr)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Field is a field's value as text ("" when missing).
func Field(e *event.Event, ref string) string {
	v, ok := e.Get(ref)
	if !ok {
		return ""
	}
	return event.ValueString(v)
}

// Has reports whether the event has the field.
func Has(e *event.Event, ref string) bool {
	_, ok := e.Get(ref)
	return ok
}

// JSON renders the event's data and metadata, for failure messages.
func JSON(e *event.Event) string {
	var b strings.Builder
	b.Write(event.AppendJSON(nil, e.Data()))
	if e.HasMetadata() {
		b.WriteString(" @metadata=")
		b.Write(event.AppendJSON(nil, e.Metadata()))
	}
	return b.String()
}
