package kafka

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/IBM/sarama"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// drainTimeout bounds how long a partition that is being revoked or shut
// down waits for its in-flight events before giving it up: whatever was not
// handled by then is consumed again by the next owner (a duplicate, never a
// loss).
var drainTimeout = 10 * time.Second

// handler is the sarama consumer group handler of one group member.
type handler struct {
	in     *input
	out    plugin.Emitter
	client sarama.Client
	log    *slog.Logger
	// commits, when enable_auto_commit is false, wakes commitLoop after an
	// offset was marked.
	commits chan struct{}
	session atomic.Pointer[sarama.ConsumerGroupSession]
}

func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	h.session.Store(&sess)
	if h.in.reset.kind == resetNone || h.in.reset.kind == resetByDuration {
		h.in.applyOffsetReset(h.client, sess, h.log)
	}
	return nil
}

func (h *handler) Cleanup(sess sarama.ConsumerGroupSession) error {
	if h.commits != nil {
		sess.Commit()
	}
	return nil
}

// commitLoop commits marked offsets as they come when auto-commit is off,
// coalescing the wake-ups that arrive while a commit is under way.
func (h *handler) commitLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.commits:
			if sess := h.session.Load(); sess != nil {
				(*sess).Commit()
			}
		}
	}
}

func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	if h.in.reset.skips(claim.Topic(), claim.Partition()) {
		// auto_offset_reset => none and no committed offset: leave it alone.
		<-sess.Context().Done()
		return nil
	}
	tracker := newPartitionTracker(sess, claim.Topic(), claim.Partition(), h.commits)
	codec := h.in.s.NewCodec()
	var decoded []*event.Event
	collect := func(e *event.Event) { decoded = append(decoded, e) }
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				tracker.drain(drainTimeout)
				return nil
			}
			decoded = decoded[:0]
			codec.Decode(msg.Value, collect)
			codec.Flush(collect)
			rec := tracker.add(msg.Offset, len(decoded))
			if len(decoded) == 0 {
				tracker.complete(rec)
				continue
			}
			for _, e := range decoded {
				// Logstash decorates (type, tags, add_field) before adding the
				// metadata, so add_field cannot see [@metadata][kafka].
				h.out.Decorate(e)
				h.in.decorate(e, msg)
				e.SetAck(event.NewAck(func() {
					if rec.pending.Add(-1) == 0 {
						tracker.complete(rec)
					}
				}))
				h.out.EmitDecorated(e)
			}
		case <-sess.Context().Done():
			tracker.drain(drainTimeout)
			return nil
		}
	}
}

// decorate adds [@metadata][kafka] as decorate_events asks.
func (in *input) decorate(e *event.Event, msg *sarama.ConsumerMessage) {
	if in.meta == metadataNone {
		return
	}
	m := event.NewMap(7)
	m.Set("topic", msg.Topic)
	m.Set("consumer_group", in.groupID)
	m.Set("partition", int64(msg.Partition))
	m.Set("offset", msg.Offset)
	if msg.Key == nil {
		m.Set("key", nil)
	} else {
		m.Set("key", strings.ToValidUTF8(string(msg.Key), "\uFFFD"))
	}
	m.Set("timestamp", msg.Timestamp.UnixMilli())
	if in.meta == metadataExtended {
		headers := event.NewMap(len(msg.Headers))
		for _, hd := range msg.Headers {
			if hd == nil || hd.Key == nil || hd.Value == nil || !utf8.Valid(hd.Value) {
				continue
			}
			headers.Set(string(hd.Key), string(hd.Value))
		}
		if headers.Len() > 0 {
			m.Set("headers", headers)
		}
	}
	if old, ok := e.Metadata().Get("kafka"); ok {
		if om, ok := old.(*event.Map); ok {
			m.Range(func(k string, v any) bool { om.Set(k, v); return true })
			return
		}
	}
	e.Metadata().Set("kafka", m)
}

// inflight is one record whose events are in the pipeline.
type inflight struct {
	offset  int64
	pending atomic.Int32
	done    bool
}

// partitionTracker marks a partition's offset only up to the last record
// handled with every record before it handled too, so that a commit never
// skips a record still in flight.
type partitionTracker struct {
	sess      sarama.ConsumerGroupSession
	topic     string
	partition int32
	commits   chan struct{}

	mu      sync.Mutex
	queue   []*inflight // in offset order; queue[0] is the oldest unhandled
	emptied chan struct{}
}

func newPartitionTracker(sess sarama.ConsumerGroupSession, topic string, partition int32, commits chan struct{}) *partitionTracker {
	return &partitionTracker{sess: sess, topic: topic, partition: partition, commits: commits}
}

func (t *partitionTracker) add(offset int64, events int) *inflight {
	rec := &inflight{offset: offset}
	rec.pending.Store(int32(events))
	t.mu.Lock()
	t.queue = append(t.queue, rec)
	t.mu.Unlock()
	return rec
}

func (t *partitionTracker) complete(rec *inflight) {
	t.mu.Lock()
	defer t.mu.Unlock()
	rec.done = true
	n := 0
	for n < len(t.queue) && t.queue[n].done {
		n++
	}
	if n == 0 {
		return
	}
	next := t.queue[n-1].offset + 1
	// Shift rather than reslice so the backing array does not grow forever.
	t.queue = t.queue[:copy(t.queue, t.queue[n:])]
	t.sess.MarkOffset(t.topic, t.partition, next, "")
	if t.commits != nil {
		select {
		case t.commits <- struct{}{}:
		default:
		}
	}
	if len(t.queue) == 0 && t.emptied != nil {
		close(t.emptied)
		t.emptied = nil
	}
}

// drain waits until every record handed to the pipeline is handled, or
// timeout passes, so that the session's last commit covers them.
func (t *partitionTracker) drain(timeout time.Duration) {
	t.mu.Lock()
	if len(t.queue) == 0 {
		t.mu.Unlock()
		return
	}
	t.emptied = make(chan struct{})
	wait := t.emptied
	t.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-wait:
	case <-timer.C:
	}
}
