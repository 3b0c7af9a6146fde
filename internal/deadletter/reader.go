package deadletter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gostash/gostash/internal/filelock"
	"github.com/gostash/gostash/runtime/event"
)

// Position is where reading stands: the segment and the offset in it of
// the next entry. A zero Position is before the first segment.
type Position struct {
	Segment string
	Offset  int64
}

// Reader reads the sealed segments of a queue directory in order. It never
// blocks: Next says when there is nothing new yet.
type Reader struct {
	dir    string
	logger *slog.Logger
	seg    segment // the segment being read; index 0 before the first
	queue  []record
	offset int64 // offset in seg of queue[0], or of the end when queue is empty
	// cleaner is the dlq_reader.lock held by a reader that deletes what
	// was consumed; nil otherwise.
	cleaner *filelock.Lock
}

// NewReader reads dir from its oldest segment. With clean, it also takes
// dlq_reader.lock: one reader at a time may delete consumed segments.
func NewReader(dir string, clean bool, logger *slog.Logger) (*Reader, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("DLQ sub-path %s does not exist", dir)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("DLQ sub-path %s is not a directory", dir)
	}
	r := &Reader{dir: dir, logger: logger}
	if clean {
		l, err := filelock.Acquire(dir, readerLock)
		if err != nil {
			return nil, fmt.Errorf("Lock held by another program on lock path: %s", filepath.Join(dir, readerLock))
		}
		r.cleaner = l
	}
	return r, nil
}

// Close releases the reader's lock.
func (r *Reader) Close() error {
	if r.cleaner != nil {
		return r.cleaner.Release()
	}
	return nil
}

func segmentIndex(path string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(filepath.Base(path), segmentSuffix))
	return n
}

// Seek moves to a saved position. When its segment is gone (deleted as
// consumed or expired), reading goes on with the next one.
func (r *Reader) Seek(p Position) error {
	idx := segmentIndex(p.Segment)
	segs, err := listSegments(r.dir)
	if err != nil {
		return err
	}
	r.queue = nil
	for _, s := range segs {
		if s.index == idx {
			return r.load(s, p.Offset)
		}
		if s.index > idx {
			break
		}
	}
	// Start just before the next segment.
	r.seg, r.offset = segment{index: idx, path: p.Segment}, 0
	return nil
}

// SeekTime moves to the first entry written at or after t.
func (r *Reader) SeekTime(t event.Timestamp) error {
	segs, err := listSegments(r.dir)
	if err != nil {
		return err
	}
	for _, s := range segs {
		recs, err := readSegment(s.path, 0)
		if err != nil {
			r.logger.Warn("Skipping a damaged dead letter segment", slog.String("path", s.path), slog.String("error", err.Error()))
		}
		for i, rec := range recs {
			en, err := decodeEntry(rec.data)
			if err != nil && !errors.Is(err, errEventUnreadable) {
				continue
			}
			if !en.Time.Before(t.Time) {
				r.seg, r.queue = s, recs[i:]
				r.offset = int64(versionSize)
				if i > 0 {
					r.offset = recs[i-1].next
				}
				return nil
			}
		}
	}
	// Everything is older: start after the newest segment.
	if len(segs) > 0 {
		last := segs[len(segs)-1]
		return r.load(last, 1<<62)
	}
	return nil
}

// load makes s the current segment, from offset on.
func (r *Reader) load(s segment, offset int64) error {
	recs, err := readSegment(s.path, 0)
	if err != nil {
		r.logger.Warn("Reading a damaged dead letter segment up to the damage", slog.String("path", s.path), slog.String("error", err.Error()))
	}
	r.seg, r.offset = s, offset
	r.queue = nil
	for i := range recs {
		start := int64(versionSize)
		if i > 0 {
			start = recs[i-1].next
		}
		if start >= offset {
			r.queue = recs[i:]
			r.offset = start
			break
		}
	}
	if r.queue == nil && len(recs) > 0 && offset > recs[len(recs)-1].next {
		r.offset = recs[len(recs)-1].next
	}
	return nil
}

// Next returns the next entry and the position after it; ok is false when
// no sealed segment holds anything new yet. An entry gostash cannot read
// (damaged, or holding a value gostash does not know) is logged and
// skipped.
func (r *Reader) Next() (en Entry, after Position, ok bool, err error) {
	for {
		if len(r.queue) == 0 {
			segs, err := listSegments(r.dir)
			if err != nil {
				return Entry{}, Position{}, false, err
			}
			var next *segment
			for i := range segs {
				if segs[i].index > r.seg.index {
					next = &segs[i]
					break
				}
			}
			if next == nil {
				return Entry{}, Position{}, false, nil
			}
			if err := r.load(*next, 0); err != nil {
				return Entry{}, Position{}, false, err
			}
			continue
		}
		rec := r.queue[0]
		r.queue = r.queue[1:]
		r.offset = rec.next
		en, err := decodeEntry(rec.data)
		if err != nil {
			r.logger.Warn("Skipping a dead letter entry gostash cannot read", slog.String("path", r.seg.path), slog.String("error", err.Error()))
			continue
		}
		return en, Position{Segment: r.seg.path, Offset: rec.next}, true, nil
	}
}

// DeleteConsumed deletes the segments before the one p is in: every entry
// of them was consumed. It returns how many segments and entries it
// deleted, and touches .deleted_segment so that the writer measures the
// queue again.
func (r *Reader) DeleteConsumed(p Position) (segments int, events int64) {
	if r.cleaner == nil || p.Segment == "" {
		return 0, 0
	}
	idx := segmentIndex(p.Segment)
	segs, _ := listSegments(r.dir)
	for _, s := range segs {
		if s.index >= idx {
			break
		}
		recs, _ := readSegment(s.path, 0)
		if err := os.Remove(s.path); err != nil {
			r.logger.Warn("Could not delete a consumed dead letter segment", slog.String("path", s.path), slog.String("error", err.Error()))
			continue
		}
		segments++
		events += int64(len(recs))
	}
	if segments > 0 {
		if f, err := os.Create(filepath.Join(r.dir, deletedNotice)); err == nil {
			f.Close()
		}
	}
	return segments, events
}

// sinceDBVersion is the version char at the start of a sincedb file,
// written as a Java char (two bytes).
const sinceDBVersion = '1'

// ReadSinceDB reads the position the dead_letter_queue input saved, in
// Logstash's sincedb format: the version as a Java char, the segment path
// (int32 length and bytes) and the offset (int64). ok is false when
// there is none.
func ReadSinceDB(path string) (p Position, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(data) == 0 {
		return Position{}, false, nil
	}
	if err != nil {
		return Position{}, false, err
	}
	if len(data) < 6 || binary.BigEndian.Uint16(data) != sinceDBVersion {
		return Position{}, false, fmt.Errorf("sincedb %s: not a version %c sincedb file", path, sinceDBVersion)
	}
	n := int(binary.BigEndian.Uint32(data[2:]))
	if n < 0 || 6+n+8 > len(data) {
		return Position{}, false, fmt.Errorf("sincedb %s: truncated", path)
	}
	p.Segment = string(data[6 : 6+n])
	p.Offset = int64(binary.BigEndian.Uint64(data[6+n:]))
	return p, true, nil
}

// WriteSinceDB saves a position (through a temporary file and a rename, so
// a crash leaves the old position or the new one).
func WriteSinceDB(path string, p Position) error {
	data := binary.BigEndian.AppendUint16(nil, sinceDBVersion)
	data = binary.BigEndian.AppendUint32(data, uint32(len(p.Segment)))
	data = append(data, p.Segment...)
	data = binary.BigEndian.AppendUint64(data, uint64(p.Offset))
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
