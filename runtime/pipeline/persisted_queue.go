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
	// encoders and reads are buffers reused across pushes and takes.
	encoders sync.Pool
	reads    sync.Pool
}

// pushBuffers is one push's encoding space.
type pushBuffers struct {
	data []byte
	ends []int
	recs [][]byte
	acks []*event.Ack
}

func openPersistedQueue(s plugin.PipelineSettings, logger *slog.Logger) (*persistedQueue, error) {
	dir := filepath.Join(s.Queue.Path, s.ID)
	q, err := persisted.Open(dir, s.Queue.Persisted, logging.Logger(logger, "org.logstash.ackedqueue.Queue"))
	if err != nil {
		return nil, err
	}
	pq := &persistedQueue{q: q, drain: s.Queue.Drain, logger: logger}
	pq.encoders.New = func() any { return &pushBuffers{} }
	pq.reads.New = func() any { return new([][]byte) }
	return pq, nil
}

func (pq *persistedQueue) push(events []*event.Event) time.Duration {
	b := pq.encoders.Get().(*pushBuffers)
	defer pq.encoders.Put(b)
	b.data, b.ends, b.recs, b.acks = b.data[:0], b.ends[:0], b.recs[:0], b.acks[:0]
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
	for _, r := range b.Records {
		e, err := event.DecodeBinary(r)
		if err != nil {
			pq.logger.Error("Event in the persisted queue cannot be read; it is skipped", slog.String("error", err.Error()))
			continue
		}
		batch = append(batch, e)
	}
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
