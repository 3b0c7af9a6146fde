package pipeline

import (
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// eventQueue is what sits between the inputs and the workers: the
// in-memory ring (queue.type: memory) or a persisted queue.
type eventQueue interface {
	// push queues events in order, waiting while the queue is full, and
	// returns how long it waited.
	push(events []*event.Event) (waited time.Duration)
	// take appends up to size events to batch, waiting as long as it
	// takes for the first and at most delay for each next one. ok is false
	// once the workers are to stop.
	take(batch []*event.Event, size int, delay time.Duration, timer *time.Timer) (_ []*event.Event, ok bool)
	// close marks the end of input.
	close()
	// release is called once the workers are done.
	release() error
}

// memoryQueue is the bounded in-memory queue between inputs and workers: a ring
// of events under one lock. Unlike a channel, which costs a lock (and often
// a wake-up) per event, it takes several events per operation: an input
// that emits a burst pushes it at once, and a worker takes all that is
// there, up to its batch size. Inputs block while it is full
// (back-pressure); events leave in the order they came.
type memoryQueue struct {
	mu     sync.Mutex
	ring   []*event.Event
	head   int // index of the oldest event
	n      int // events in the ring
	closed bool

	// Waiters count themselves under mu before waiting, so a push or a
	// take signals only when someone waits. The channels hold one token:
	// a signal sent before its waiter waits is not lost, and a woken
	// waiter re-checks, then passes the token on when there is more for
	// the next one.
	takersWaiting  int
	pushersWaiting int
	notEmpty       chan struct{} // events arrived, or the queue closed
	notFull        chan struct{} // room appeared
}

func newMemoryQueue(capacity int) *memoryQueue {
	return &memoryQueue{
		ring:     make([]*event.Event, max(capacity, 1)),
		notEmpty: make(chan struct{}, 1),
		notFull:  make(chan struct{}, 1),
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// push appends events in order, waiting for room while the queue is full,
// and returns how long it waited.
func (q *memoryQueue) push(events []*event.Event) (waited time.Duration) {
	for len(events) > 0 {
		q.mu.Lock()
		if q.n == len(q.ring) {
			start := time.Now()
			for q.n == len(q.ring) {
				q.pushersWaiting++
				q.mu.Unlock()
				<-q.notFull
				q.mu.Lock()
				q.pushersWaiting--
			}
			waited += time.Since(start)
		}
		k := min(len(events), len(q.ring)-q.n)
		tail := (q.head + q.n) % len(q.ring)
		copied := copy(q.ring[tail:], events[:k])
		copy(q.ring, events[copied:k])
		q.n += k
		wakeTaker := q.takersWaiting > 0
		// Another pusher may fit in what is left.
		wakePusher := q.pushersWaiting > 0 && q.n < len(q.ring)
		q.mu.Unlock()
		if wakeTaker {
			signal(q.notEmpty)
		}
		if wakePusher {
			signal(q.notFull)
		}
		events = events[k:]
	}
	return waited
}

// release has nothing to do: the ring goes with the pipeline.
func (q *memoryQueue) release() error { return nil }

// close marks the end of input: takers get what is left, then nothing.
func (q *memoryQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	signal(q.notEmpty)
}

// take appends up to size events to batch. It waits as long as it takes
// for the first event, then at most delay for each next one. ok is false
// once the queue is closed and empty and nothing was taken.
func (q *memoryQueue) take(batch []*event.Event, size int, delay time.Duration, timer *time.Timer) (_ []*event.Event, ok bool) {
	q.mu.Lock()
	for {
		batch = q.grab(batch, size)
		if len(batch) == size || (q.closed && q.n == 0) {
			break
		}
		q.takersWaiting++
		q.mu.Unlock()
		timedOut := false
		if len(batch) == 0 {
			<-q.notEmpty
		} else {
			// Timers are synchronous (Go 1.23): after Stop no stale tick
			// can arrive, so the timer needs no draining.
			timer.Reset(delay)
			select {
			case <-q.notEmpty:
				timer.Stop()
			case <-timer.C:
				timedOut = true
			}
		}
		q.mu.Lock()
		q.takersWaiting--
		if timedOut {
			batch = q.grab(batch, size)
			break
		}
	}
	wakePusher := q.pushersWaiting > 0 && q.n < len(q.ring)
	// What is left (or the news that the queue closed) is for the next
	// waiting worker.
	wakeTaker := q.takersWaiting > 0 && (q.n > 0 || q.closed)
	q.mu.Unlock()
	if wakePusher {
		signal(q.notFull)
	}
	if wakeTaker {
		signal(q.notEmpty)
	}
	return batch, len(batch) > 0
}

// grab moves up to size-len(batch) events from the ring to batch; q.mu is
// held.
func (q *memoryQueue) grab(batch []*event.Event, size int) []*event.Event {
	k := min(q.n, size-len(batch))
	if k == 0 {
		return batch
	}
	// The oldest events run to the end of the ring, the rest wrap round.
	first := q.ring[q.head:min(q.head+k, len(q.ring))]
	wrapped := q.ring[:k-len(first)]
	batch = append(append(batch, first...), wrapped...)
	clear(first)
	clear(wrapped)
	q.head = (q.head + k) % len(q.ring)
	q.n -= k
	return batch
}
