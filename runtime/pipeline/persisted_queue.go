package pipeline

import (
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/queue/persisted"
)

// persistedQueue is queue.type: persisted. Events are stored in their
// binary form. An input's acknowledgement (event.Ack) is released once its
// event is on disk as queue.checkpoint.writes says, not when the outputs
// finish: from then on the queue answers for the event. Each batch read
// gets one acknowledgement of its own, which acknowledges the batch's
// records in the queue once every event made from them is finished, so a
// record leaves the queue only after the outputs are done with it.
type persistedQueue struct {
	q      *persisted.Queue
	drain  bool
	logger *slog.Logger
	cache  *eventCache
	// encoders and reads are buffers reused across pushes and takes.
	encoders sync.Pool
	reads    sync.Pool
}

// eventCache keeps the events just written, by sequence number, so that a
// worker reading them soon after (the usual case) takes the event the
// input made instead of decoding the record: the record is on disk all
// the same, and is what a restart reads. It is direct-mapped: a slot holds
// the latest event written for its sequence numbers, so when the workers
// lag far behind, older events are pushed out and decoded when read.
type eventCache struct {
	mu    sync.Mutex
	slots []cachedEvent
}

type cachedEvent struct {
	seq uint64
	e   *event.Event
}

func newEventCache(size int) *eventCache {
	n := 1
	for n < size {
		n <<= 1
	}
	return &eventCache{slots: make([]cachedEvent, n)}
}

// put keeps events, written with the sequence numbers ending at last.
func (c *eventCache) put(last uint64, events []*event.Event) {
	mask := uint64(len(c.slots) - 1)
	first := last + 1 - uint64(len(events))
	c.mu.Lock()
	for i, e := range events {
		seq := first + uint64(i)
		c.slots[seq&mask] = cachedEvent{seq, e}
	}
	c.mu.Unlock()
}

// take appends the events for the sequence numbers of runs to batch, in
// order, and nil where an event is not cached.
func (c *eventCache) take(batch []*event.Event, runs []persisted.Run) []*event.Event {
	mask := uint64(len(c.slots) - 1)
	c.mu.Lock()
	for _, r := range runs {
		for seq := r.First; seq <= r.Last; seq++ {
			slot := &c.slots[seq&mask]
			var e *event.Event
			if slot.seq == seq {
				e = slot.e
				*slot = cachedEvent{}
			}
			batch = append(batch, e)
		}
	}
	c.mu.Unlock()
	return batch
}

// pushBuffers is one push's encoding space.
type pushBuffers struct {
	data   []byte
	ends   []int
	recs   [][]byte
	acks   []*event.Ack
	events []*event.Event
}

func openPersistedQueue(s plugin.PipelineSettings, logger *slog.Logger) (*persistedQueue, error) {
	dir := filepath.Join(s.Queue.Path, s.ID)
	q, err := persisted.Open(dir, s.Queue.Persisted, logging.Logger(logger, "org.logstash.ackedqueue.Queue"))
	if err != nil {
		return nil, err
	}
	// The cache holds a few batches per worker, and at least 4096 events
	// (a few megabytes): what workers take soon.
	pq := &persistedQueue{q: q, drain: s.Queue.Drain, logger: logger, cache: newEventCache(max(4*s.BatchSize*s.Workers, 4096))}
	pq.encoders.New = func() any { return &pushBuffers{} }
	pq.reads.New = func() any { return new([][]byte) }
	return pq, nil
}

func (pq *persistedQueue) push(events []*event.Event) time.Duration {
	b := pq.encoders.Get().(*pushBuffers)
	defer pq.encoders.Put(b)
	b.data, b.ends, b.recs, b.acks = b.data[:0], b.ends[:0], b.recs[:0], b.acks[:0]
	b.events = b.events[:0]
	for _, e := range events {
		start := len(b.data)
		var err error
		b.data, err = event.AppendBinary(b.data, e)
		if err == nil && int64(len(b.data)-start) > pq.q.MaxRecord() {
			err = &persisted.TooLargeError{Size: int64(len(b.data) - start), Max: pq.q.MaxRecord()}
		}
		if err != nil {
			// The event can never be queued; its input is told it is done
			// with, as for an event a filter drops.
			pq.logger.Error("Event cannot be written to the persisted queue; it is dropped", slog.String("error", err.Error()))
			b.data = b.data[:start]
			if a := e.TakeAck(); a != nil {
				a.Release()
			}
			continue
		}
		b.ends = append(b.ends, len(b.data))
		b.acks = append(b.acks, e.TakeAck())
		b.events = append(b.events, e)
	}
	start := 0
	for _, end := range b.ends {
		b.recs = append(b.recs, b.data[start:end])
		start = end
	}
	if len(b.recs) == 0 {
		return 0
	}
	last, n, waited, err := pq.q.Write(b.recs)
	if err != nil {
		// Only a shutdown stops a write: what was not written is not
		// acknowledged, so an input with acknowledgements sends it again.
		pq.logger.Warn("Events were not written to the persisted queue: the pipeline is stopping",
			slog.Int("events", len(b.recs)-n), slog.String("error", err.Error()))
	}
	pq.cache.put(last, b.events[:n])
	clear(b.events)
	var acks []*event.Ack
	for _, a := range b.acks[:n] {
		if a != nil {
			acks = append(acks, a)
		}
	}
	if len(acks) > 0 {
		pq.q.WhenDurable(last, func() {
			for _, a := range acks {
				a.Release()
			}
		})
	}
	clear(b.acks)
	return waited
}

func (pq *persistedQueue) take(batch []*event.Event, size int, delay time.Duration, timer *time.Timer) ([]*event.Event, bool) {
	recs := pq.reads.Get().(*[][]byte)
	defer pq.reads.Put(recs)
	b, ok := pq.q.Read(*recs, size, delay, timer)
	*recs = b.Records[:0]
	if !ok {
		return batch, false
	}
	from := len(batch)
	batch = pq.cache.take(batch, b.Runs)
	kept := from
	for i, e := range batch[from:] {
		if e == nil {
			var err error
			if e, err = event.DecodeBinary(b.Records[i]); err != nil {
				pq.logger.Error("Event in the persisted queue cannot be read; it is skipped", slog.String("error", err.Error()))
				continue
			}
		}
		batch[kept] = e
		kept++
	}
	clear(batch[kept:])
	batch = batch[:kept]
	clear(b.Records)
	runs := b.Runs
	done := func() { pq.q.Ack(runs...) }
	if len(batch) == from {
		done()
		return batch, true
	}
	ack := event.NewBatchAck(len(batch)-from, done)
	for _, e := range batch[from:] {
		e.SetAck(ack)
	}
	return batch, true
}

func (pq *persistedQueue) close() { pq.q.Shutdown(pq.drain) }

func (pq *persistedQueue) release() error { return pq.q.Close() }

// errQueueType is a queue.type other than memory or persisted.
var errQueueType = errors.New("Invalid setting for queue.type: only `memory` and `persisted` are supported")
