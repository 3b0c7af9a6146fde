package pipelinebus

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// recorder is a receiver that keeps what it takes; accept limits how many
// of each delivery it takes before failing.
type recorder struct {
	mu     sync.Mutex
	got    []*event.Event
	accept []int // per delivery: how many to take before an error; -1 for all
	calls  int
}

func (r *recorder) Receive(events []*event.Event) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(events)
	var err error
	if r.calls < len(r.accept) && r.accept[r.calls] >= 0 {
		n, err = r.accept[r.calls], errors.New("queue write failed")
	}
	r.calls++
	r.got = append(r.got, events[:n]...)
	return n, err
}

func (r *recorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.got {
		m, _ := e.Get("message")
		out = append(out, m.(string))
	}
	return out
}

func events(msgs ...string) []*event.Event {
	var out []*event.Event
	for _, m := range msgs {
		e := event.NewEvent()
		e.Set("message", m)
		out = append(out, e)
	}
	return out
}

// logBuffer is a logger whose lines a test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, nil)), b
}

func TestEachAddressGetsItsOwnCopy(t *testing.T) {
	b := New()
	one, two := &recorder{}, &recorder{}
	if err := b.Listen("one", one); err != nil {
		t.Fatal(err)
	}
	if err := b.Listen("two", two); err != nil {
		t.Fatal(err)
	}
	sent := events("a", "b")
	logger, _ := newLogger()
	if err := b.Send(context.Background(), []string{"one", "two"}, sent, true, logger); err != nil {
		t.Fatal(err)
	}
	if strings.Join(one.messages(), ",") != "a,b" || strings.Join(two.messages(), ",") != "a,b" {
		t.Fatalf("one %v two %v", one.messages(), two.messages())
	}
	one.got[0].Set("message", "changed downstream")
	if m, _ := sent[0].Get("message"); m != "a" {
		t.Errorf("the sender's event changed: %v", m)
	}
	if m, _ := two.got[0].Get("message"); m != "a" {
		t.Errorf("the other address's copy changed: %v", m)
	}
}

func TestAnAddressIsBoundOnce(t *testing.T) {
	b := New()
	if err := b.Listen("x", &recorder{}); err != nil {
		t.Fatal(err)
	}
	err := b.Listen("x", &recorder{})
	if err == nil || err.Error() != "Internal input at 'x' already bound! Addresses must be globally unique across pipelines." {
		t.Fatalf("second listen: %v", err)
	}
}

// TestWithoutEnsureDeliveryEventsAreDropped: no input on the address, no
// wait, no log.
func TestWithoutEnsureDeliveryEventsAreDropped(t *testing.T) {
	logger, logs := newLogger()
	if err := New().Send(context.Background(), []string{"nobody"}, events("a"), false, logger); err != nil {
		t.Fatal(err)
	}
	if logs.String() != "" {
		t.Errorf("logged: %s", logs.String())
	}
}

// TestEnsureDeliveryWaitsForTheInput: with ensure_delivery, a send to an
// address without an input warns and retries until one listens.
func TestEnsureDeliveryWaitsForTheInput(t *testing.T) {
	b := New()
	logger, logs := newLogger()
	done := make(chan error, 1)
	go func() { done <- b.Send(context.Background(), []string{"later"}, events("a"), true, logger) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "Attempted to send event to 'later' but that address was unavailable. Maybe the destination pipeline is down or stopping? Will Retry.") {
		if time.Now().After(deadline) {
			t.Fatalf("no warning: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r := &recorder{}
	if err := b.Listen("later", r); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Join(r.messages(), ",") != "a" {
		t.Errorf("received %v", r.messages())
	}
}

// TestAFailedDeliveryResumesAfterWhatWasTaken: a queue failure after two
// events resends only the rest.
func TestAFailedDeliveryResumesAfterWhatWasTaken(t *testing.T) {
	b := New()
	r := &recorder{accept: []int{2, -1}}
	if err := b.Listen("x", r); err != nil {
		t.Fatal(err)
	}
	logger, logs := newLogger()
	if err := b.Send(context.Background(), []string{"x"}, events("a", "b", "c", "d", "e"), true, logger); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.messages(), ","); got != "a,b,c,d,e" {
		t.Errorf("received %s", got)
	}
	if !strings.Contains(logs.String(), "Attempted to send events to 'x' but that address reached error condition with 3 events remaining. Will Retry. Root cause queue write failed") {
		t.Errorf("log: %s", logs.String())
	}
}

// TestShutdownUnlistenWaitsForSenders: while the process shuts down, an
// input leaves its address only once its senders have, and a delivery
// still running completes first.
func TestShutdownUnlistenWaitsForSenders(t *testing.T) {
	b := New()
	r := &recorder{}
	if err := b.Listen("x", r); err != nil {
		t.Fatal(err)
	}
	b.RegisterSender([]string{"x"})
	b.SetBlockOnUnlisten(true)
	left := make(chan struct{})
	go func() {
		b.Unlisten(context.Background(), "x", r)
		close(left)
	}()
	logger, _ := newLogger()
	// The sender still delivers while the input waits to leave.
	if err := b.Send(context.Background(), []string{"x"}, events("last"), true, logger); err != nil {
		t.Fatal(err)
	}
	select {
	case <-left:
		t.Fatal("the input left while a sender was registered")
	default:
	}
	b.UnregisterSender([]string{"x"})
	select {
	case <-left:
	case <-time.After(10 * time.Second):
		t.Fatal("the input did not leave after its sender did")
	}
	if strings.Join(r.messages(), ",") != "last" {
		t.Errorf("received %v", r.messages())
	}
}

// TestReloadUnlistenDoesNotWait: outside a shutdown an input leaves at once.
func TestReloadUnlistenDoesNotWait(t *testing.T) {
	b := New()
	r := &recorder{}
	if err := b.Listen("x", r); err != nil {
		t.Fatal(err)
	}
	b.RegisterSender([]string{"x"})
	b.Unlisten(context.Background(), "x", r)
	if err := b.Listen("x", &recorder{}); err != nil {
		t.Fatalf("the address is still bound: %v", err)
	}
}
