// Package deadletter is the dead letter queue (dead_letter_queue.enable):
// events an output could not deliver and must not retry, set aside on disk
// with the reason, and read back by the dead_letter_queue input.
//
// # Files
//
// A pipeline's queue is the directory <path.dead_letter_queue>/<pipeline.id>,
// laid out as Logstash lays it out:
//
//   - .lock: held by the one writer of the queue (an fcntl lock, as the
//     JDK takes, so gostash and Logstash keep out of each other's queue).
//   - N.log.tmp: the head segment being written; never read.
//   - N.log: sealed segments, numbered from 1 up; the sealed segment is the
//     unit readers see and policies delete. The head is sealed (renamed,
//     after an fsync) when it would pass 10 MiB, when it was written to
//     and then left alone for flush_interval, and on close.
//   - dlq_reader.lock, .deleted_segment: a reader that deletes what it
//     consumed (clean_consumed) holds the first and touches the second.
//
// A segment is Logstash's record file: a version byte '1', then 32 KiB
// blocks of records. A record is a 13-byte header (type: c complete, s
// start, m middle, e end; payload size; the whole entry's size on s
// records, else -1; CRC-32 of the payload; big-endian) and its payload.
// An entry too big for the rest of a block is split into s, m..., e
// records; a block with fewer than 14 bytes left is skipped. An entry is
// five length-prefixed byte strings: the entry time (ISO-8601), the event,
// the plugin type, the plugin id and the reason.
//
// The event is stored as Logstash stores it, a Jackson CBOR map of its data
// and metadata (see cbor.go), so that Logstash's dead_letter_queue input
// reads what gostash set aside and the other way round. Entries written by
// earlier gostash builds (gostash's JSON after a "GSJ1" marker) are still
// read.
package deadletter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

const (
	blockSize        = 32 * 1024
	recordHeaderSize = 13
	versionSize      = 1
	version          = '1'
	// maxSegmentSize is when the head segment is sealed; Logstash's fixed value.
	maxSegmentSize = 10 * 1024 * 1024

	recordComplete = 'c'
	recordStart    = 's'
	recordMiddle   = 'm'
	recordEnd      = 'e'

	segmentSuffix = ".log"
	tempSuffix    = ".log.tmp"
	lockFile      = ".lock"
	readerLock    = "dlq_reader.lock"
	// deletedNotice is touched by a reader that deleted segments, so that
	// a writer recomputes the queue's size.
	deletedNotice = ".deleted_segment"
)

// Entry is one dead letter: the event, which plugin set it aside and why.
type Entry struct {
	Event      *event.Event
	PluginType string
	PluginID   string
	Reason     string
	Time       event.Timestamp
}

// jsonEventMarker starts the JSON form of an event that earlier gostash
// builds wrote.
var jsonEventMarker = []byte("GSJ1")

// encodeEntry serialises an entry as Logstash's DLQEntry does: five
// length-prefixed fields.
func encodeEntry(en Entry) ([]byte, error) {
	ev, err := appendLogstashEvent(nil, en.Event)
	if err != nil {
		return nil, err
	}
	fields := [][]byte{[]byte(en.Time.String()), ev, []byte(en.PluginType), []byte(en.PluginID), []byte(en.Reason)}
	n := 0
	for _, f := range fields {
		n += 4 + len(f)
	}
	out := make([]byte, 0, n)
	for _, f := range fields {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out, nil
}

// decodeEntry reads what encodeEntry, or Logstash, wrote.
func decodeEntry(data []byte) (Entry, error) {
	var fields [5][]byte
	rest := data
	for i := range fields {
		if len(rest) < 4 {
			return Entry{}, errors.New("truncated dead letter entry")
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return Entry{}, errors.New("truncated dead letter entry")
		}
		fields[i], rest = rest[:n], rest[n:]
	}
	en := Entry{PluginType: string(fields[2]), PluginID: string(fields[3]), Reason: string(fields[4])}
	t, ok := event.ParseTimestamp(string(fields[0]))
	if !ok {
		return Entry{}, fmt.Errorf("dead letter entry time %q is not a timestamp", fields[0])
	}
	en.Time = t
	var err error
	switch ev := fields[1]; {
	case len(ev) == 0:
		// Logstash reads no bytes as an empty event.
		en.Event = event.NewEvent()
	case bytes.HasPrefix(ev, jsonEventMarker):
		en.Event, err = decodeJSONEvent(ev[len(jsonEventMarker):])
	default:
		en.Event, err = decodeLogstashEvent(ev)
	}
	if err != nil {
		return en, fmt.Errorf("%w: %w", errEventUnreadable, err)
	}
	return en, nil
}

// errEventUnreadable is an entry whose fields are sound but whose event
// cannot be read: the entry's time, plugin and reason are still known.
var errEventUnreadable = errors.New("dead letter event cannot be read")

// decodeJSONEvent reads the JSON form earlier gostash builds wrote:
// {"data": {...}, "metadata": {...}}.
func decodeJSONEvent(ev []byte) (*event.Event, error) {
	v, err := event.DecodeJSON(ev)
	if err != nil {
		return nil, err
	}
	m, _ := v.(*event.Map)
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	body, _ := m.Get("data")
	dm, _ := body.(*event.Map)
	if dm == nil {
		dm = event.NewMap(0)
	}
	e := event.NewEventFromMap(dm)
	if meta, ok := m.Get("metadata"); ok {
		if mm, ok := meta.(*event.Map); ok {
			mm.Range(func(k string, v any) bool { e.Metadata().Set(k, v); return true })
		}
	}
	return e, nil
}

// segmentWriter appends records to a head segment, as Logstash's
// RecordIOWriter does.
type segmentWriter struct {
	f          *os.File
	path       string
	pos        int64 // where the next record goes
	posInBlock int
	block      int64
	written    bool
}

func createSegment(path string) (*segmentWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write([]byte{version}); err != nil {
		f.Close()
		return nil, err
	}
	return &segmentWriter{f: f, path: path, pos: versionSize}, nil
}

// writeEntry writes one entry's records and returns how far the segment
// grew (a skipped block end included).
func (w *segmentWriter) writeEntry(data []byte) (int64, error) {
	start := w.pos
	total := len(data)
	var prev byte
	for len(data) > 0 {
		if w.posInBlock+recordHeaderSize+1 > blockSize {
			w.block++
			w.pos = w.block*blockSize + versionSize
			w.posInBlock = 0
		}
		fits := len(data)+recordHeaderSize < blockSize-w.posInBlock
		var typ byte
		switch {
		case prev == 0 && fits:
			typ = recordComplete
		case prev == 0:
			typ = recordStart
		case fits:
			typ = recordEnd
		default:
			typ = recordMiddle
		}
		n := min(blockSize-w.posInBlock-recordHeaderSize, len(data))
		hdr := make([]byte, recordHeaderSize, recordHeaderSize+n)
		hdr[0] = typ
		binary.BigEndian.PutUint32(hdr[1:], uint32(n))
		totalField := int32(-1)
		if typ == recordStart {
			totalField = int32(total)
		}
		binary.BigEndian.PutUint32(hdr[5:], uint32(totalField))
		binary.BigEndian.PutUint32(hdr[9:], crc32.ChecksumIEEE(data[:n]))
		if _, err := w.f.WriteAt(append(hdr, data[:n]...), w.pos); err != nil {
			return w.pos - start, err
		}
		w.pos += int64(recordHeaderSize + n)
		w.posInBlock += recordHeaderSize + n
		data, prev = data[n:], typ
	}
	w.written = true
	return w.pos - start, nil
}

// record is one entry read from a segment: its bytes and where the next
// entry starts.
type record struct {
	data []byte
	next int64
}

// readSegment reads every entry of a segment that starts at or after
// from. A record whose checksum does not match ends the segment: what
// follows cannot be trusted.
func readSegment(path string, from int64) ([]record, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil
	}
	if raw[0] != version {
		return nil, fmt.Errorf("%s: unknown dead letter segment version %q", path, raw[0])
	}
	var out []record
	var partial []byte
	pos := int64(versionSize)
	if from > pos {
		pos = from
	}
	for pos+recordHeaderSize <= int64(len(raw)) {
		inBlock := int((pos - versionSize) % blockSize)
		if inBlock+recordHeaderSize+1 > blockSize {
			pos += int64(blockSize - inBlock)
			continue
		}
		hdr := raw[pos : pos+recordHeaderSize]
		typ := hdr[0]
		if typ != recordComplete && typ != recordStart && typ != recordMiddle && typ != recordEnd {
			// The rest of the block is empty: the writer moved on.
			pos += int64(blockSize - inBlock)
			continue
		}
		n := int64(binary.BigEndian.Uint32(hdr[1:]))
		end := pos + recordHeaderSize + n
		if n <= 0 || end > int64(len(raw)) {
			return out, fmt.Errorf("%s: record at offset %d runs past the end of the segment", path, pos)
		}
		payload := raw[pos+recordHeaderSize : end]
		if crc32.ChecksumIEEE(payload) != binary.BigEndian.Uint32(hdr[9:]) {
			return out, fmt.Errorf("%s: record at offset %d has a bad checksum", path, pos)
		}
		pos = end
		switch typ {
		case recordComplete:
			out = append(out, record{data: payload, next: pos})
		case recordStart:
			partial = append([]byte{}, payload...)
		case recordMiddle:
			partial = append(partial, payload...)
		case recordEnd:
			out = append(out, record{data: append(partial, payload...), next: pos})
			partial = nil
		}
	}
	return out, nil
}

// segment is a sealed segment file.
type segment struct {
	index int
	path  string
}

// listSegments returns the sealed segments of dir that hold data (more
// than the version byte), oldest first.
func listSegments(dir string) ([]segment, error) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []segment
	for _, n := range names {
		base, ok := strings.CutSuffix(n.Name(), segmentSuffix)
		if !ok || n.IsDir() {
			continue
		}
		idx, err := strconv.Atoi(base)
		if err != nil {
			continue
		}
		info, err := n.Info()
		if err != nil || info.Size() <= versionSize {
			continue
		}
		out = append(out, segment{index: idx, path: filepath.Join(dir, n.Name())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].index < out[j].index })
	return out, nil
}

// segmentStatus says whether a leftover head segment holds readable entries.
func segmentStatus(path string) (valid, empty bool) {
	st, err := os.Stat(path)
	if err != nil || st.Size() <= versionSize {
		return false, true
	}
	recs, err := readSegment(path, 0)
	return err == nil && len(recs) > 0, false
}
