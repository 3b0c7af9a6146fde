package deadletter

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/internal/filelock"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
)

// Settings configure a pipeline's dead letter queue: the
// dead_letter_queue.* settings.
type Settings struct {
	// Dir is <path.dead_letter_queue>/<pipeline.id>.
	Dir      string
	MaxBytes int64
	// DropOlder is storage_policy drop_older: make room by deleting the
	// oldest segments; otherwise (drop_newer) a new entry that does not
	// fit is dropped.
	DropOlder bool
	// RetainAge deletes segments whose newest entry is older; 0 keeps them.
	RetainAge          time.Duration
	FlushInterval      time.Duration
	FlushCheckInterval time.Duration
}

// Logstash's lower bounds for the flush intervals.
const (
	minFlushInterval      = time.Second
	minFlushCheckInterval = time.Second
)

var retainAgeForm = regexp.MustCompile(`^(\d+)\s*([dhms])$`)

// ParseRetainAge reads dead_letter_queue.retain.age: a number and one of
// d, h, m, s.
func ParseRetainAge(s string) (time.Duration, error) {
	m := retainAgeForm.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("Expected a time specification in the form <number>[d,h,m,s], e.g. 3m, but found [%s]", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 32)
	if err != nil {
		return 0, fmt.Errorf("Expected a time specification in the form <number>[d,h,m,s], e.g. 3m, but found [%s]", s)
	}
	unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}[m[2]]
	return time.Duration(n) * unit, nil
}

// Stats are the queue's figures for the monitoring API.
type Stats struct {
	Path             string
	QueueSizeInBytes int64
	MaxQueueSize     int64
	DroppedEvents    int64
	ExpiredEvents    int64
	LastError        string
	StoragePolicy    string
}

// Writer is a pipeline's dead letter queue, open for writing: the one
// writer of its directory.
type Writer struct {
	settings Settings
	logger   *slog.Logger
	now      func() time.Time

	mu           sync.Mutex
	lock         *filelock.Lock
	head         *segmentWriter
	headIndex    int
	lastWrite    time.Time
	size         int64
	dropped      int64
	expired      int64
	lastError    string
	oldest       string          // path of the oldest sealed segment, "" when none
	oldestNewest event.Timestamp // the newest entry time in it
	lastEntry    event.Timestamp
	closed       bool

	stop chan struct{}
	done chan struct{}
}

// Open opens (creating it) the queue in s.Dir: it takes the lock, turns
// head segments a crash left behind into sealed ones (or sets them aside
// as N.err when unreadable), and starts a new head segment after the last.
func Open(s Settings, logger *slog.Logger) (*Writer, error) {
	if logger == nil {
		logger = slog.Default()
	}
	logger = logging.Logger(logger, "org.logstash.common.io.DeadLetterQueueWriter")
	if s.FlushInterval < minFlushInterval {
		logger.Warn(fmt.Sprintf("dead_letter_queue.flush_interval (%d ms) is below the minimum of %d ms; using %d ms",
			s.FlushInterval.Milliseconds(), minFlushInterval.Milliseconds(), minFlushInterval.Milliseconds()))
		s.FlushInterval = minFlushInterval
	}
	if s.FlushCheckInterval > s.FlushInterval {
		logger.Warn(fmt.Sprintf("dead_letter_queue.flush_check_interval (%d ms) cannot be greater than dead_letter_queue.flush_interval (%d ms); using %d ms",
			s.FlushCheckInterval.Milliseconds(), s.FlushInterval.Milliseconds(), s.FlushInterval.Milliseconds()))
		s.FlushCheckInterval = s.FlushInterval
	}
	if s.FlushCheckInterval < minFlushCheckInterval {
		logger.Warn(fmt.Sprintf("dead_letter_queue.flush_check_interval (%d ms) is below the minimum of %d ms; using %d ms for the flush check interval",
			s.FlushCheckInterval.Milliseconds(), minFlushCheckInterval.Milliseconds(), minFlushCheckInterval.Milliseconds()))
		s.FlushCheckInterval = minFlushCheckInterval
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("dead letter queue: %w", err)
	}
	lock, err := filelock.Acquire(s.Dir, lockFile)
	if errors.Is(err, filelock.ErrLocked) {
		return nil, fmt.Errorf("Lock held by another program on lock path: %s", filepath.Join(s.Dir, lockFile))
	}
	if err != nil {
		return nil, fmt.Errorf("dead letter queue: %w", err)
	}
	w := &Writer{settings: s, logger: logger, now: time.Now, lock: lock, stop: make(chan struct{}), done: make(chan struct{})}
	if err := w.cleanupTempFiles(); err != nil {
		lock.Release()
		return nil, err
	}
	segs, err := listSegments(s.Dir)
	if err != nil {
		lock.Release()
		return nil, err
	}
	for _, seg := range segs {
		w.headIndex = max(w.headIndex, seg.index)
	}
	w.size = w.diskSize()
	if err := w.nextHead(); err != nil {
		lock.Release()
		return nil, err
	}
	w.updateOldest()
	go w.flushLoop()
	return w, nil
}

// cleanupTempFiles deals with head segments a crash left: a sealed copy
// wins, a readable one is sealed, an empty one deleted, and an unreadable
// one renamed N.err with a warning.
func (w *Writer) cleanupTempFiles() error {
	entries, err := os.ReadDir(w.settings.Dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), tempSuffix)
		if !ok {
			continue
		}
		tmp := filepath.Join(w.settings.Dir, e.Name())
		sealed := filepath.Join(w.settings.Dir, base+segmentSuffix)
		if _, err := os.Stat(sealed); err == nil {
			if err := os.Remove(tmp); err != nil {
				return err
			}
			continue
		}
		valid, empty := segmentStatus(tmp)
		switch {
		case valid:
			err = os.Rename(tmp, sealed)
		case empty:
			err = os.Remove(tmp)
		default:
			errFile := filepath.Join(w.settings.Dir, base+".err")
			w.logger.Warn(fmt.Sprintf("Segment file %s is in an error state, saving as %s", sealed, errFile))
			err = os.Rename(tmp, errFile)
		}
		if err != nil {
			return fmt.Errorf("Unable to clean up temp file: %s: %w", tmp, err)
		}
	}
	return nil
}

var dlqMetadata, _ = event.ParseFieldRef("[@metadata][dead_letter_queue]")

// Write sets an event aside. An event that came from the dead letter queue
// (it has [@metadata][dead_letter_queue]) is not written again. A queue
// at dead_letter_queue.max_bytes drops the entry (drop_newer, counted) or
// deletes its oldest segments to make room (drop_older).
func (w *Writer) Write(e *event.Event, pluginType, pluginID, reason string) error {
	if _, ok := e.GetRef(dlqMetadata); ok {
		w.logger.Warn("Event previously submitted to dead letter queue. Skipping...")
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("the dead letter queue is closed")
	}
	t := event.Now()
	if t.Before(w.lastEntry.Time) {
		t = w.lastEntry
	}
	data, err := encodeEntry(Entry{Event: e, PluginType: pluginType, PluginID: pluginID, Reason: reason, Time: t})
	if err != nil {
		return fmt.Errorf("writing to the dead letter queue: %w", err)
	}
	payload := int64(recordHeaderSize + len(data))
	w.applyAgeRetention()
	if w.size+payload > w.settings.MaxBytes {
		// A reader may have deleted consumed segments: measure again.
		w.size = w.diskSize()
		if w.size+payload > w.settings.MaxBytes {
			if !w.settings.DropOlder {
				w.lastError = fmt.Sprintf("Cannot write event to DLQ(path: %s): reached maxQueueSize of %d", w.settings.Dir, w.settings.MaxBytes)
				w.logger.Error(w.lastError)
				w.dropped++
				return nil
			}
			for w.size+payload > w.settings.MaxBytes {
				segs, _ := listSegments(w.settings.Dir)
				if len(segs) == 0 {
					w.logger.Info(fmt.Sprintf("Queue size %d exceeded, but no complete DLQ segments found", w.settings.MaxBytes))
					break
				}
				w.deleteSegment(segs[0].path, fmt.Sprintf("dead letter queue size exceeded dead_letter_queue.max_bytes size(%d)", w.settings.MaxBytes))
			}
			w.updateOldest()
		}
	}
	if w.head.pos+payload > maxSegmentSize {
		if err := w.seal("segment full"); err != nil {
			return err
		}
	}
	n, err := w.head.writeEntry(data)
	w.size += n
	if err != nil {
		w.lastError = err.Error()
		return fmt.Errorf("writing to the dead letter queue %s: %w", w.head.path, err)
	}
	w.lastWrite = w.now()
	w.lastEntry = t
	return nil
}

// seal makes the head segment a sealed one (fsync, then rename) and starts
// the next; an untouched head is kept.
func (w *Writer) seal(reason string) error {
	if !w.head.written {
		return nil
	}
	if err := w.closeHead(); err != nil {
		return err
	}
	w.logger.Debug(fmt.Sprintf("Sealed segment with index %d because %s", w.headIndex, reason))
	w.updateOldest()
	w.applyAgeRetention()
	return w.nextHead()
}

// closeHead syncs and seals the head segment, or deletes it when untouched.
func (w *Writer) closeHead() error {
	h := w.head
	if !h.written {
		err := h.f.Close()
		os.Remove(h.path)
		w.size -= versionSize
		return err
	}
	if err := h.f.Sync(); err != nil {
		h.f.Close()
		return fmt.Errorf("syncing %s: %w", h.path, err)
	}
	if err := h.f.Close(); err != nil {
		return err
	}
	return os.Rename(h.path, strings.TrimSuffix(h.path, ".tmp"))
}

func (w *Writer) nextHead() error {
	w.headIndex++
	h, err := createSegment(filepath.Join(w.settings.Dir, strconv.Itoa(w.headIndex)+tempSuffix))
	if err != nil {
		return fmt.Errorf("dead letter queue: %w", err)
	}
	w.head = h
	w.size += versionSize
	return nil
}

// diskSize is the size of the queue on disk: its segments and the head.
func (w *Writer) diskSize() int64 {
	os.Remove(filepath.Join(w.settings.Dir, deletedNotice))
	var n int64
	entries, _ := os.ReadDir(w.settings.Dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), segmentSuffix) || strings.HasSuffix(e.Name(), tempSuffix) {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
	}
	return n
}

// deleteSegment deletes a sealed segment and returns how many entries it held.
func (w *Writer) deleteSegment(path, why string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	recs, _ := readSegment(path, 0)
	if err := os.Remove(path); err != nil {
		w.logger.Error("Can't remove some DLQ files", slog.String("path", path), slog.String("error", err.Error()))
		return 0
	}
	w.size -= info.Size()
	w.logger.Debug(fmt.Sprintf("Removed segment file %s due to %s", path, why))
	return int64(len(recs))
}

// updateOldest finds the oldest sealed segment and its newest entry time.
func (w *Writer) updateOldest() {
	w.oldest = ""
	segs, err := listSegments(w.settings.Dir)
	if err != nil || len(segs) == 0 {
		return
	}
	recs, _ := readSegment(segs[0].path, 0)
	if len(recs) == 0 {
		w.logger.Warn(fmt.Sprintf("Cannot find a complete event into the segment file [%s], this is a DLQ segment corruption", segs[0].path))
		return
	}
	en, err := decodeEntry(recs[len(recs)-1].data)
	if err != nil && !errors.Is(err, errEventUnreadable) {
		return
	}
	w.oldest, w.oldestNewest = segs[0].path, en.Time
}

// applyAgeRetention deletes the oldest segments while their newest entry
// is older than retain.age.
func (w *Writer) applyAgeRetention() {
	if w.settings.RetainAge <= 0 {
		return
	}
	limit := w.now().Add(-w.settings.RetainAge)
	for w.oldest != "" && w.oldestNewest.Before(limit) {
		w.expired += w.deleteSegment(w.oldest, "age retention policy")
		w.updateOldest()
	}
}

// flushLoop seals a head segment left alone for flush_interval, checking
// every flush_check_interval, and applies the age policy.
func (w *Writer) flushLoop() {
	defer close(w.done)
	t := time.NewTicker(w.settings.FlushCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		w.mu.Lock()
		if w.head.written && w.now().Sub(w.lastWrite) >= w.settings.FlushInterval {
			if err := w.seal("scheduled flush"); err != nil {
				w.logger.Warn("Unable to finalize segment", slog.String("error", err.Error()))
			}
		}
		w.updateOldest()
		w.applyAgeRetention()
		w.mu.Unlock()
	}
}

// Close seals the head segment and releases the lock.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.closeHead()
	w.updateOldest()
	w.applyAgeRetention()
	if rerr := w.lock.Release(); err == nil {
		err = rerr
	}
	os.Remove(filepath.Join(w.settings.Dir, lockFile))
	return err
}

// Stats returns the queue's figures.
func (w *Writer) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	policy := "drop_newer"
	if w.settings.DropOlder {
		policy = "drop_older"
	}
	return Stats{Path: w.settings.Dir, QueueSizeInBytes: w.size, MaxQueueSize: w.settings.MaxBytes, DroppedEvents: w.dropped,
		ExpiredEvents: w.expired, LastError: w.lastError, StoragePolicy: policy}
}
