package pipeline

import (
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

func numberedFrom(from, n int) []*event.Event {
	events := make([]*event.Event, n)
	for i := range events {
		events[i] = event.NewEvent()
		events[i].Data().Set("n", int64(from+i))
	}
	return events
}

// TestQueueKeepsOrderThroughWrapAndBackPressure pushes bursts larger than
// the queue (so pushes wait for room and the ring wraps) while one worker
// takes small batches: every event arrives once, in order.
func TestQueueKeepsOrderThroughWrapAndBackPressure(t *testing.T) {
	const total, burstSize = 1000, 7
	q := newMemoryQueue(5)
	go func() {
		for i := 0; i < total; i += burstSize {
			q.push(numberedFrom(i, min(burstSize, total-i)))
		}
		q.close()
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	next := int64(0)
	var batch []*event.Event
	for {
		var ok bool
		batch, ok = q.take(batch[:0], 3, time.Millisecond, timer)
		if !ok {
			break
		}
		if len(batch) > 3 {
			t.Fatalf("batch of %d, size 3", len(batch))
		}
		for _, e := range batch {
			if n, _ := e.Data().Get("n"); n != next {
				t.Fatalf("got event %v, want %d", n, next)
			}
			next++
		}
	}
	if next != total {
		t.Fatalf("got %d events, want %d", next, total)
	}
}

// TestQueueTakeWaitsDelayForMore checks batch.delay: a partial batch is
// handed over once no event came for delay.
func TestQueueTakeWaitsDelayForMore(t *testing.T) {
	q := newMemoryQueue(10)
	q.push(numberedFrom(0, 2))
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	start := time.Now()
	batch, ok := q.take(nil, 5, 20*time.Millisecond, timer)
	if !ok || len(batch) != 2 {
		t.Fatalf("took %d events (ok %v), want 2", len(batch), ok)
	}
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("returned after %v, before the delay", took)
	}
}

// TestQueueCloseWakesEveryWorker: workers waiting on an empty queue all
// return when it closes.
func TestQueueCloseWakesEveryWorker(t *testing.T) {
	q := newMemoryQueue(4)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timer := time.NewTimer(time.Hour)
			timer.Stop()
			for {
				if _, ok := q.take(nil, 2, time.Millisecond, timer); !ok {
					return
				}
			}
		}()
	}
	q.push(numberedFrom(0, 3))
	q.close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("workers still waiting after close")
	}
}
