package deadletter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
)

// logs is a logger whose output a test reads.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newLogger() (*slog.Logger, *logs) {
	l := &logs{}
	return slog.New(logging.NewLogHandler(l, logging.LevelTrace)), l
}

func settingsIn(dir string) Settings {
	return Settings{Dir: dir, MaxBytes: 1 << 30, FlushInterval: time.Hour, FlushCheckInterval: time.Hour}
}

func newEvent(msg string) *event.Event {
	e := event.NewEvent()
	e.Set("message", msg)
	return e
}

func readAll(t *testing.T, dir string) []Entry {
	t.Helper()
	logger, _ := newLogger()
	r, err := NewReader(dir, false, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []Entry
	for {
		en, _, ok, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, en)
	}
}

func message(en Entry) string {
	m, _ := en.Event.Get("message")
	s, _ := m.(string)
	return s
}

// TestWriteAndReadBack: entries come back whole and in order, with their
// plugin, reason and time, @metadata included; one larger than a block is
// split across blocks and put together again; the head segment is only
// visible once sealed.
func TestWriteAndReadBack(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 3*blockSize+100)
	first := newEvent("first")
	first.Metadata().Set("index", "logs-1")
	for _, e := range []*event.Event{first, newEvent(big), newEvent("third")} {
		if err := w.Write(e, "elasticsearch", "es1", "mapping conflict"); err != nil {
			t.Fatal(err)
		}
	}
	if got := readAll(t, dir); len(got) != 0 {
		t.Fatalf("the head segment was readable before it was sealed: %d entries", len(got))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, dir)
	if len(got) != 3 || message(got[0]) != "first" || message(got[1]) != big || message(got[2]) != "third" {
		t.Fatalf("read back %d entries", len(got))
	}
	if got[0].PluginType != "elasticsearch" || got[0].PluginID != "es1" || got[0].Reason != "mapping conflict" || got[0].Time.IsZero() {
		t.Errorf("entry %+v", got[0])
	}
	if idx, _ := got[0].Event.Metadata().Get("index"); idx != "logs-1" {
		t.Errorf("metadata lost: %v", idx)
	}
	if _, err := os.Stat(filepath.Join(dir, "1.log")); err != nil {
		t.Errorf("segment 1.log: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, lockFile)); !os.IsNotExist(err) {
		t.Errorf("the lock file is left behind: %v", err)
	}
}

// TestRecordLayout checks the bytes of a segment against Logstash's
// format: the version byte, then a 13-byte header (type c, payload size,
// -1, CRC-32) and the entry's five length-prefixed fields, the event in
// Logstash's CBOR form (["java.util.HashMap", {...}]).
func TestRecordLayout(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(newEvent("m"), "stdout", "out1", "why"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	raw, err := os.ReadFile(filepath.Join(dir, "1.log"))
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != '1' || raw[1] != 'c' {
		t.Fatalf("starts %q", raw[:2])
	}
	size := binary.BigEndian.Uint32(raw[2:])
	if int32(binary.BigEndian.Uint32(raw[6:])) != -1 || len(raw) != 1+13+int(size) {
		t.Fatalf("header %x, file %d bytes", raw[1:14], len(raw))
	}
	payload := raw[14:]
	field := func() string {
		n := binary.BigEndian.Uint32(payload)
		f := string(payload[4 : 4+n])
		payload = payload[4+n:]
		return f
	}
	entryTime, ev, ptype, pid, reason := field(), field(), field(), field(), field()
	if _, ok := event.ParseTimestamp(entryTime); !ok || !strings.HasPrefix(ev, "\x82\x71java.util.HashMap") || ptype != "stdout" || pid != "out1" || reason != "why" {
		t.Errorf("fields %q %q %q %q %q", entryTime, ev, ptype, pid, reason)
	}

	// An entry over several blocks fills each block to its end: one
	// header per block, no empty block between them.
	seg, err := createSegment(filepath.Join(t.TempDir(), "1.log.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte{'x'}, 3*blockSize+100)
	if _, err := seg.writeEntry(data); err != nil {
		t.Fatal(err)
	}
	seg.f.Close()
	st, _ := os.Stat(seg.path)
	records := (len(data) + blockSize - recordHeaderSize - 1) / (blockSize - recordHeaderSize)
	if want := int64(1 + len(data) + recordHeaderSize*records); st.Size() != want {
		t.Errorf("a %d-byte entry takes %d bytes, want %d (%d records)", len(data), st.Size(), want, records)
	}
	raw, _ = os.ReadFile(seg.path)
	for b := 0; b < records; b++ {
		if typ := raw[1+b*blockSize]; typ != "smme"[min(b, 2)+boolInt(b == records-1)] {
			t.Errorf("block %d starts with record type %q", b, typ)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSegmentsAreSealedAt10MiB: entries that would take the head past
// 10 MiB go to a new segment.
func TestSegmentsAreSealedAt10MiB(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	mb := strings.Repeat("y", 1<<20)
	for i := 0; i < 12; i++ {
		if err := w.Write(newEvent(mb), "p", "id", "r"); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	segs, _ := listSegments(dir)
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2", len(segs))
	}
	// As in Logstash, the check counts one record header per entry, so a
	// split entry's other headers may take a segment a little past 10 MiB.
	for _, s := range segs {
		if st, _ := os.Stat(s.path); st.Size() > maxSegmentSize+4096 {
			t.Errorf("%s is %d bytes", s.path, st.Size())
		}
	}
	if got := readAll(t, dir); len(got) != 12 {
		t.Errorf("read back %d entries", len(got))
	}
}

// TestDropNewer: at max_bytes a new entry is dropped, counted and reported.
func TestDropNewer(t *testing.T) {
	dir := t.TempDir()
	logger, logs := newLogger()
	s := settingsIn(dir)
	s.MaxBytes = 300
	w, err := Open(s, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := 0; i < 5; i++ {
		if err := w.Write(newEvent(fmt.Sprint("event ", i)), "p", "id", "r"); err != nil {
			t.Fatal(err)
		}
	}
	st := w.Stats()
	want := fmt.Sprintf("Cannot write event to DLQ(path: %s): reached maxQueueSize of 300", dir)
	if st.DroppedEvents == 0 || st.LastError != want || st.QueueSizeInBytes > 300 || st.StoragePolicy != "drop_newer" {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log %s", logs.String())
	}
}

// TestDropOlder: at max_bytes the oldest sealed segments make room.
func TestDropOlder(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	s := settingsIn(dir)
	s.MaxBytes, s.DropOlder = 3<<20, true
	w, err := Open(s, logger)
	if err != nil {
		t.Fatal(err)
	}
	mb := strings.Repeat("z", 1<<20)
	for i := 0; i < 3; i++ {
		if err := w.Write(newEvent(mb+fmt.Sprint(i)), "p", "id", "r"); err != nil {
			t.Fatal(err)
		}
		w.mu.Lock()
		w.seal("test")
		w.mu.Unlock()
	}
	if err := w.Write(newEvent(mb+"3"), "p", "id", "r"); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.DroppedEvents != 0 || st.QueueSizeInBytes > s.MaxBytes {
		t.Errorf("stats %+v", st)
	}
	w.Close()
	got := readAll(t, dir)
	if len(got) == 0 || message(got[len(got)-1]) != mb+"3" || message(got[0]) == mb+"0" {
		t.Errorf("kept %d entries, the oldest ending %q", len(got), message(got[0])[len(mb):])
	}
}

// TestRetainAge: sealed segments whose newest entry is older than
// retain.age are deleted, and their entries counted as expired.
func TestRetainAge(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	s := settingsIn(dir)
	s.RetainAge = time.Hour
	w, err := Open(s, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := 0; i < 2; i++ {
		w.Write(newEvent("old"), "p", "id", "r")
	}
	w.mu.Lock()
	w.seal("test")
	w.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	w.mu.Unlock()
	if err := w.Write(newEvent("new"), "p", "id", "r"); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.ExpiredEvents != 2 {
		t.Errorf("expired %d, want 2", st.ExpiredEvents)
	}
	if segs, _ := listSegments(dir); len(segs) != 0 {
		t.Errorf("segments left: %v", segs)
	}
}

// TestScheduledFlush: a head segment written to and then left alone is
// sealed after flush_interval, so readers see its entries.
func TestScheduledFlush(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	s := settingsIn(dir)
	s.FlushInterval, s.FlushCheckInterval = time.Second, time.Second
	w, err := Open(s, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(newEvent("soon visible"), "p", "id", "r"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(readAll(t, dir)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the head segment was never sealed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOpenRecoversAfterACrash: head segments a crash left are sealed when
// readable, deleted when empty, and set aside as .err when damaged.
func TestOpenRecoversAfterACrash(t *testing.T) {
	dir := t.TempDir()
	logger, logs := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(newEvent("survivor"), "p", "id", "r")
	// Simulate a crash: leave the head as it is, without sealing.
	w.head.f.Close()
	close(w.stop)
	<-w.done
	w.lock.Release()
	os.WriteFile(filepath.Join(dir, "7.log.tmp"), []byte{'1'}, 0o644)
	os.WriteFile(filepath.Join(dir, "8.log.tmp"), []byte("1garbage that is no record at all"), 0o644)

	w2, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	got := readAll(t, dir)
	if len(got) != 1 || message(got[0]) != "survivor" {
		t.Errorf("after recovery: %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "7.log.tmp")); !os.IsNotExist(err) {
		t.Error("the empty head segment was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "8.err")); err != nil || !strings.Contains(logs.String(), "is in an error state, saving as") {
		t.Errorf("the damaged head segment: %v\n%s", err, logs.String())
	}
	if w2.headIndex != 2 {
		t.Errorf("new head %d, want 2 (after the last sealed segment, as Logstash numbers them)", w2.headIndex)
	}
}

// TestOneWriterPerQueue: the lock keeps a second writer, and a second
// cleaning reader, out. fcntl locks belong to a process, so the second
// one runs in a child process (this test binary, told so by LOCK_CHILD).
func TestOneWriterPerQueue(t *testing.T) {
	if dir := os.Getenv("DLQ_LOCK_CHILD"); dir != "" {
		logger, _ := newLogger()
		if _, err := Open(settingsIn(dir), logger); err != nil {
			fmt.Println("writer:", err)
		}
		if _, err := NewReader(dir, true, logger); err != nil {
			fmt.Println("reader:", err)
		}
		return
	}
	dir := t.TempDir()
	logger, _ := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := NewReader(dir, true, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	child := exec.Command(os.Args[0], "-test.run=^TestOneWriterPerQueue$")
	child.Env = append(os.Environ(), "DLQ_LOCK_CHILD="+dir)
	out, err := child.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"writer: Lock held by another program on lock path: " + filepath.Join(dir, ".lock"),
		"reader: Lock held by another program on lock path: " + filepath.Join(dir, "dlq_reader.lock")} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}

// TestLoopGuard: an event read back from the queue is not written again.
func TestLoopGuard(t *testing.T) {
	dir := t.TempDir()
	logger, logs := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	e := newEvent("again")
	e.Metadata().Set("dead_letter_queue", event.NewMap(0))
	if err := w.Write(e, "p", "id", "r"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if len(readAll(t, dir)) != 0 || !strings.Contains(logs.String(), "Event previously submitted to dead letter queue. Skipping...") {
		t.Errorf("written again:\n%s", logs.String())
	}
}

// TestReaderPositions: a saved position resumes after the last entry
// read, a position in a deleted segment moves on to the next one, a time
// finds the first entry at or after it, and consumed segments are deleted.
func TestReaderPositions(t *testing.T) {
	dir := t.TempDir()
	logger, _ := newLogger()
	w, err := Open(settingsIn(dir), logger)
	if err != nil {
		t.Fatal(err)
	}
	var mid event.Timestamp
	for seg := 0; seg < 3; seg++ {
		for i := 0; i < 2; i++ {
			if seg == 1 && i == 0 {
				time.Sleep(2 * time.Millisecond)
				mid = event.Now()
				time.Sleep(2 * time.Millisecond)
			}
			w.Write(newEvent(fmt.Sprintf("s%d-e%d", seg, i)), "p", "id", "r")
		}
		w.mu.Lock()
		w.seal("test")
		w.mu.Unlock()
	}
	w.Close()

	r, err := NewReader(dir, true, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var pos Position
	for i := 0; i < 3; i++ {
		_, pos, _, _ = r.Next()
	}
	sincedb := filepath.Join(t.TempDir(), "sincedb")
	if err := WriteSinceDB(sincedb, pos); err != nil {
		t.Fatal(err)
	}
	saved, ok, err := ReadSinceDB(sincedb)
	if err != nil || !ok || saved != pos {
		t.Fatalf("sincedb: %v %v %v, want %v", saved, ok, err, pos)
	}
	next := func(r *Reader) string {
		en, _, ok, err := r.Next()
		if err != nil || !ok {
			return fmt.Sprintf("nothing (%v)", err)
		}
		return message(en)
	}
	again, _ := NewReader(dir, false, logger)
	again.Seek(saved)
	if got := next(again); got != "s1-e1" {
		t.Errorf("resumed at %s, want s1-e1", got)
	}
	byTime, _ := NewReader(dir, false, logger)
	byTime.SeekTime(mid)
	if got := next(byTime); got != "s1-e0" {
		t.Errorf("by time: %s, want s1-e0", got)
	}
	if segments, events := r.DeleteConsumed(pos); segments != 1 || events != 2 {
		t.Errorf("deleted %d segments, %d events", segments, events)
	}
	if _, err := os.Stat(filepath.Join(dir, deletedNotice)); err != nil {
		t.Errorf("no %s: %v", deletedNotice, err)
	}
	gone, _ := NewReader(dir, false, logger)
	gone.Seek(Position{Segment: filepath.Join(dir, "1.log"), Offset: 40})
	if got := next(gone); got != "s1-e0" {
		t.Errorf("after a deleted segment: %s, want s1-e0", got)
	}
}

// TestUnreadableEventsAreSkippedAndReported: an entry whose event is not
// CBOR in Logstash's form is skipped with a warning naming its segment; an
// entry earlier gostash builds wrote (JSON after "GSJ1") is still read.
func TestUnreadableEventsAreSkippedAndReported(t *testing.T) {
	dir := t.TempDir()
	seg, err := createSegment(filepath.Join(dir, "1.log"))
	if err != nil {
		t.Fatal(err)
	}
	entry := func(ev []byte, reason string) []byte {
		var b []byte
		for _, f := range [][]byte{[]byte("2026-01-02T03:04:05.678Z"), ev, []byte("elasticsearch"), []byte("es"), []byte(reason)} {
			b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
			b = append(b, f...)
		}
		return b
	}
	seg.writeEntry(entry([]byte{0x82, 0x71}, "truncated"))
	seg.writeEntry(entry([]byte(`GSJ1{"data":{"message":"old"},"metadata":{"k":"v"}}`), "old form"))
	seg.f.Close()
	logger, logs := newLogger()
	r, _ := NewReader(dir, false, logger)
	en, _, ok, err := r.Next()
	if !ok || err != nil || en.Reason != "old form" {
		t.Fatalf("read: %+v %v %v", en, ok, err)
	}
	if msg, _ := en.Event.Get("message"); msg != "old" {
		t.Errorf("old-form event: %v", en.Event.Data())
	}
	if v, _ := en.Event.Metadata().Get("k"); v != "v" {
		t.Errorf("old-form metadata: %v", en.Event.Metadata())
	}
	if !strings.Contains(logs.String(), "Skipping a dead letter entry gostash cannot read") || !strings.Contains(logs.String(), filepath.Join(dir, "1.log")) {
		t.Errorf("log: %s", logs.String())
	}
}
