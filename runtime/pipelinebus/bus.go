// Package pipelinebus connects pipelines of one process: the pipeline
// output sends events to virtual addresses, and the pipeline input bound to
// an address pushes them into its own pipeline's queue, as Logstash's
// pipeline bus does.
//
// A send blocks while the receiving queue is full, so back-pressure passes
// from a downstream pipeline to the upstream workers. Each destination gets
// its own deep copy of every event; the copies share the original's
// acknowledgement, so the upstream input learns an event is done only when
// every downstream pipeline has finished with it.
package pipelinebus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// Receiver takes events sent to an address: the pipeline input bound to it.
type Receiver interface {
	// Receive pushes events in order into the receiving pipeline's queue,
	// blocking while it is full, and returns how many it took. It takes
	// none with ErrClosing when it is not (or no longer) accepting; it
	// stops early with another error when its queue failed, and the
	// sender resends the rest.
	Receive(events []*event.Event) (accepted int, err error)
}

// ErrClosing is a receiver's answer while it is not running.
var ErrClosing = errors.New("the receiving pipeline input is not running")

// RetryInterval is how long a sender with ensure_delivery waits before
// trying an address again, as in Logstash.
const RetryInterval = time.Second

// Bus is the process's set of addresses.
type Bus struct {
	mu    sync.Mutex
	addrs map[string]*address
	// blockOnUnlisten is set when the process shuts down: an input then
	// leaves its address only once no sender is left, so upstream
	// pipelines finish delivering before downstream ones stop.
	blockOnUnlisten bool
}

// address is one virtual address: at most one receiver and any number of
// registered senders.
type address struct {
	name string
	// inflight is held for reading during each delivery, and for writing
	// while the receiver changes, so an input that leaves has no delivery
	// still running into its pipeline.
	inflight sync.RWMutex
	receiver Receiver // guarded by Bus.mu and inflight
	senders  int      // guarded by Bus.mu
	// changed is closed (and replaced) whenever senders or the receiver change.
	changed chan struct{}
}

// New returns an empty bus.
func New() *Bus {
	return &Bus{addrs: map[string]*address{}}
}

// addr returns the state of an address, creating it; b.mu is held.
func (b *Bus) addr(name string) *address {
	a := b.addrs[name]
	if a == nil {
		a = &address{name: name, changed: make(chan struct{})}
		b.addrs[name] = a
	}
	return a
}

// notify wakes whoever waits for a change of a; b.mu is held.
func (a *address) notify() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// AlreadyBoundError is Logstash's refusal of a second input on an address.
type AlreadyBoundError struct{ Address string }

func (e *AlreadyBoundError) Error() string {
	return fmt.Sprintf("Internal input at '%s' already bound! Addresses must be globally unique across pipelines.", e.Address)
}

// Listen binds r to an address; an address has at most one input.
func (b *Bus) Listen(name string, r Receiver) error {
	b.mu.Lock()
	a := b.addr(name)
	if a.receiver != nil {
		b.mu.Unlock()
		return &AlreadyBoundError{name}
	}
	b.mu.Unlock()
	a.inflight.Lock()
	b.mu.Lock()
	a.receiver = r
	a.notify()
	b.mu.Unlock()
	a.inflight.Unlock()
	return nil
}

// Unlisten detaches r from its address once no delivery is running into
// it. While the process shuts down (SetBlockOnUnlisten) it first waits
// until no sender is registered on the address, so the upstream pipelines
// deliver everything they hold; ctx ends that wait early (a forced exit).
func (b *Bus) Unlisten(ctx context.Context, name string, r Receiver) {
	for {
		b.mu.Lock()
		a := b.addr(name)
		if a.receiver != r {
			b.mu.Unlock()
			return
		}
		if !b.blockOnUnlisten || a.senders == 0 || ctx.Err() != nil {
			b.mu.Unlock()
			break
		}
		changed := a.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
		}
	}
	b.mu.Lock()
	a := b.addr(name)
	b.mu.Unlock()
	a.inflight.Lock()
	b.mu.Lock()
	if a.receiver == r {
		a.receiver = nil
		a.notify()
	}
	b.mu.Unlock()
	a.inflight.Unlock()
}

// RegisterSender records one sender on each address; a shutting-down
// Unlisten waits for senders to leave.
func (b *Bus) RegisterSender(names []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range names {
		a := b.addr(n)
		a.senders++
		a.notify()
	}
}

// UnregisterSender removes a sender RegisterSender recorded.
func (b *Bus) UnregisterSender(names []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range names {
		a := b.addr(n)
		if a.senders > 0 {
			a.senders--
		}
		a.notify()
	}
}

// SetBlockOnUnlisten makes inputs wait for their senders to leave before
// they leave their address: set when the process shuts down.
func (b *Bus) SetBlockOnUnlisten(block bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.blockOnUnlisten = block
	for _, a := range b.addrs {
		a.notify()
	}
}

// Send delivers events to each address in turn: a deep copy of every event
// for each. With ensure, an address without an input, or one whose queue
// failed, is retried every RetryInterval with a warning until it takes the
// events (resuming after those it took) or ctx ends; without it, the events
// for that address are dropped silently, as in Logstash.
func (b *Bus) Send(ctx context.Context, names []string, events []*event.Event, ensure bool, logger *slog.Logger) error {
	if len(events) == 0 {
		return nil
	}
	for _, n := range names {
		if err := b.sendTo(ctx, n, events, ensure, logger); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bus) sendTo(ctx context.Context, name string, events []*event.Event, ensure bool, logger *slog.Logger) error {
	b.mu.Lock()
	a := b.addr(name)
	b.mu.Unlock()
	sent := 0
	for {
		a.inflight.RLock()
		b.mu.Lock()
		r := a.receiver
		b.mu.Unlock()
		var err error
		if r == nil {
			err = ErrClosing
		} else {
			clones := make([]*event.Event, len(events)-sent)
			for i, e := range events[sent:] {
				clones[i] = e.Clone()
			}
			var n int
			n, err = r.Receive(clones)
			for _, c := range clones[n:] {
				c.Release()
			}
			sent += n
		}
		a.inflight.RUnlock()
		if err == nil {
			return nil
		}
		if !ensure {
			return nil
		}
		if errors.Is(err, ErrClosing) {
			logger.Warn(fmt.Sprintf("Attempted to send event to '%s' but that address was unavailable. Maybe the destination pipeline is down or stopping? Will Retry.", name))
		} else {
			logger.Warn(fmt.Sprintf("Attempted to send events to '%s' but that address reached error condition with %d events remaining. Will Retry. Root cause %s", name, len(events)-sent, err))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(RetryInterval):
		}
	}
}
