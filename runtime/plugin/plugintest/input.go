package plugintest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// BuiltInput is an input built from config text.
type BuiltInput struct {
	// Plugin is the input itself, for tests that need its own type (to
	// give it a reader, say) before running it.
	Plugin   plugin.Input
	Settings *plugin.Settings
	Logs     *Logs

	t        testing.TB
	decorate func(*event.Event) error
}

// Input builds the input block text, failing the test when it does not
// build.
func Input(t testing.TB, text string, opts ...Option) *BuiltInput {
	t.Helper()
	p, err := TryInput(t, text, opts...)
	mustBuild(t, err)
	return p
}

// TryInput builds the input block text and returns its config errors
// instead of failing.
func TryInput(t testing.TB, text string, opts ...Option) (*BuiltInput, error) {
	t.Helper()
	b, err := build(t, plugin.KindInput, "input", text, opts)
	if err != nil {
		return nil, err
	}
	decorate, err := pipeline.InputDecoration(b.instance.Settings)
	if err != nil {
		return nil, err
	}
	return &BuiltInput{Plugin: b.instance.Plugin.(plugin.Input), Settings: b.instance.Settings, Logs: b.logs, t: t, decorate: decorate}, nil
}

// RunToEnd runs the input until it returns by itself (stdin at EOF, a
// generator's count) and returns the events it emitted. Each event is
// released as the pipeline releases it after the outputs.
func (in *BuiltInput) RunToEnd() []*event.Event {
	in.t.Helper()
	r := in.start(false)
	select {
	case err := <-r.done:
		r.mu.Lock()
		r.stopped = true
		r.mu.Unlock()
		if err != nil {
			in.t.Fatalf("input Run: %v", err)
		}
	case <-time.After(Deadline):
		in.t.Fatalf("the input did not end within %v", Deadline)
	}
	return r.Events()
}

// Start runs the input in the background until Stop or the end of the
// test. Each event is released as the pipeline releases it after the
// outputs.
func (in *BuiltInput) Start() *Running { return in.start(false) }

// StartHolding is Start with every event kept in flight until the test
// releases it (event.Release), as if still in the pipeline.
func (in *BuiltInput) StartHolding() *Running { return in.start(true) }

func (in *BuiltInput) start(hold bool) *Running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{in: in, hold: hold, cancel: cancel, done: make(chan error, 1), blocked: make(chan struct{}, 1)}
	go func() { r.done <- in.Plugin.Run(ctx, r) }()
	// At the end of the test the pipeline drains: held-back emits go
	// through, then the input stops.
	in.t.Cleanup(func() {
		r.Unblock()
		r.Stop()
	})
	return r
}

// Running is an input at work. It is the input's plugin.Emitter: it
// decorates events with the input's type, add_field and tags as the
// pipeline does, and collects them.
type Running struct {
	in     *BuiltInput
	hold   bool
	cancel context.CancelFunc
	done   chan error

	mu      sync.Mutex
	events  []*event.Event
	taken   int           // events Next handed out
	arrived chan struct{} // closed at the next event; nil while nobody waits
	gate    chan struct{} // while non-nil, emits wait for it to close (Block)
	blocked chan struct{} // signalled when an emit waits at the gate
	stopped bool
}

// Emit decorates e and collects it.
func (r *Running) Emit(e *event.Event) {
	r.Decorate(e)
	r.EmitDecorated(e)
}

// Decorate applies the input's common options.
func (r *Running) Decorate(e *event.Event) {
	if err := r.in.decorate(e); err != nil {
		r.in.Settings.Logger().Warn("Could not decorate event", slog.String("error", err.Error()))
	}
}

// EmitDecorated collects e.
func (r *Running) EmitDecorated(e *event.Event) {
	one := [1]*event.Event{e}
	r.EmitDecoratedBatch(one[:])
}

// EmitDecoratedBatch collects events in order (see plugin.BatchEmitter).
// While the input is blocked it waits, as on a full pipeline queue.
func (r *Running) EmitDecoratedBatch(events []*event.Event) {
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		select {
		case r.blocked <- struct{}{}:
		default:
		}
		<-gate
	}
	if !r.hold {
		// Released before a waiting test sees them, so it can count on it.
		for _, e := range events {
			e.Release()
		}
	}
	r.mu.Lock()
	r.events = append(r.events, events...)
	if r.arrived != nil {
		close(r.arrived)
		r.arrived = nil
	}
	r.mu.Unlock()
}

// Block makes every emit wait, as the pipeline holds an input back when
// its queue is full, until Unblock (or the end of the test).
func (r *Running) Block() {
	r.mu.Lock()
	if r.gate == nil {
		r.gate = make(chan struct{})
	}
	r.mu.Unlock()
}

// Unblock lets waiting and later emits through.
func (r *Running) Unblock() {
	r.mu.Lock()
	if r.gate != nil {
		close(r.gate)
		r.gate = nil
	}
	r.mu.Unlock()
}

// WaitBlocked waits until an emit waits at Block: the input is held back.
func (r *Running) WaitBlocked() {
	r.in.t.Helper()
	select {
	case <-r.blocked:
	case <-time.After(Deadline):
		r.in.t.Fatalf("no emit was held back within %v", Deadline)
	}
}

// Next waits for the next event Next has not returned yet.
func (r *Running) Next() *event.Event {
	r.in.t.Helper()
	r.mu.Lock()
	i := r.taken
	r.taken++
	r.mu.Unlock()
	return r.WaitFor(i + 1)[i]
}

// NextN is Next n times.
func (r *Running) NextN(n int) []*event.Event {
	r.in.t.Helper()
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = r.Next()
	}
	return out
}

// Pending is how many collected events Next has not returned yet.
func (r *Running) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events) - r.taken
}

// Events returns the events collected so far.
func (r *Running) Events() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.events...)
}

// WaitFor waits until at least n events arrived and returns them all,
// failing the test when they do not come within Deadline.
func (r *Running) WaitFor(n int) []*event.Event {
	r.in.t.Helper()
	deadline := time.After(Deadline)
	for {
		r.mu.Lock()
		if len(r.events) >= n {
			out := append([]*event.Event(nil), r.events...)
			r.mu.Unlock()
			return out
		}
		if r.arrived == nil {
			r.arrived = make(chan struct{})
		}
		arrived := r.arrived
		r.mu.Unlock()
		select {
		case <-arrived:
		case err := <-r.done:
			r.done <- err
			r.in.t.Fatalf("the input returned (%v) after %d of %d events", err, len(r.Events()), n)
		case <-deadline:
			r.in.t.Fatalf("got %d of %d events within %v", len(r.Events()), n, Deadline)
		}
	}
}

// Stop cancels the input, as a pipeline shutdown does, and waits for its
// Run to return; an error from Run fails the test. Emits held back by
// Block stay held until Unblock, as on a pipeline whose queue is full. Only
// the first call stops it; it may be called from another goroutine.
func (r *Running) Stop() {
	r.in.t.Helper()
	r.mu.Lock()
	stopped := r.stopped
	r.stopped = true
	r.mu.Unlock()
	if stopped {
		return
	}
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.in.t.Errorf("input Run: %v", err)
		}
	case <-time.After(Deadline):
		r.in.t.Errorf("the input's Run did not return within %v of being cancelled", Deadline)
	}
}
