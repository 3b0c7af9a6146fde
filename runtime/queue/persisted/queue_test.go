//go:build unix

package persisted

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects a queue's log lines; the syncer logs from its own
// goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func open(t *testing.T, dir string, s Settings) (*Queue, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	q, err := Open(dir, s, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return q, logs
}

// small are settings that make pages fill quickly.
func small() Settings {
	s := DefaultSettings()
	s.PageCapacity = 1024
	s.MaxBytes = 0
	return s
}

// record is the data of record i: its number and some padding, varying in
// length.
func record(i int) []byte {
	return []byte(fmt.Sprintf("record %d %s", i, strings.Repeat("x", i%50)))
}

func write(t *testing.T, q *Queue, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, _, _, err := q.Write([][]byte{record(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// readAll reads n records, acknowledging each batch when ack
// is set, and returns the record numbers.
func readAll(t *testing.T, q *Queue, n int, ack bool) []int {
	t.Helper()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var got []int
	for len(got) < n {
		b, ok := q.Read(nil, min(7, n-len(got)), time.Millisecond, timer)
		if !ok {
			t.Fatalf("Read stopped after %d records", len(got))
		}
		for _, r := range b.Records {
			var i int
			if _, err := fmt.Sscanf(string(r), "record %d", &i); err != nil {
				t.Fatalf("bad record %q", r)
			}
			if !bytes.Equal(r, record(i)) {
				t.Fatalf("record %d read back as %q", i, r)
			}
			got = append(got, i)
		}
		if ack {
			q.Ack(b.Runs...)
		}
	}
	return got
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// crash abandons q the way kill -9 would: nothing synced, no checkpoint
// written, the lock dropped. What was written to the page files stays in
// the kernel's page cache, as it does when a process dies.
func crash(q *Queue) {
	close(q.closing)
	<-q.syncerDone
	for _, p := range q.pages {
		p.release()
	}
	q.lock.Close()
}

func pageFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "page.*"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	slices.Sort(m)
	return m
}

func TestWriteReadAckAcrossPages(t *testing.T) {
	dir := t.TempDir()
	q, _ := open(t, dir, small())
	write(t, q, 0, 200)
	if n := len(pageFiles(t, dir)); n < 5 {
		t.Fatalf("200 records in 1 KiB pages made only %d pages", n)
	}
	if got := readAll(t, q, 200, true); !slices.Equal(got, seq(0, 200)) {
		t.Fatalf("read %v", got)
	}
	// Every fully acknowledged page is gone: only the head remains.
	if files := pageFiles(t, dir); len(files) != 1 {
		t.Fatalf("pages left after acknowledging everything: %v", files)
	}
	st := q.Stats()
	if st.Events != 0 || st.Unread != 0 || st.Pages != 1 {
		t.Fatalf("stats %+v", st)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReopenReplaysWhatWasNotAcknowledged(t *testing.T) {
	dir := t.TempDir()
	s := small()
	s.CheckpointAcks = 1
	q, _ := open(t, dir, s)
	write(t, q, 0, 100)
	readAll(t, q, 40, true)
	// Read but not acknowledged: replayed too.
	timer := time.NewTimer(time.Hour)
	if b, _ := q.Read(nil, 5, time.Millisecond, timer); len(b.Records) == 0 {
		t.Fatal("nothing read")
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}

	q, _ = open(t, dir, s)
	defer q.Close()
	if st := q.Stats(); st.Events != 60 || st.Unread != 60 {
		t.Fatalf("after reopening: %+v", st)
	}
	got := readAll(t, q, 60, true)
	if want := seq(40, 100); !slices.Equal(got, want) {
		t.Fatalf("replayed %v, want %v", got, want)
	}
	// New records continue the sequence.
	write(t, q, 100, 101)
	b, _ := q.Read(nil, 5, time.Millisecond, timer)
	if !slices.Equal(b.Runs, []Run{{101, 101}}) {
		t.Fatalf("new record has seqs %v, want 101", b.Runs)
	}
}

func TestKilledProcessLosesNothingWritten(t *testing.T) {
	dir := t.TempDir()
	s := small()
	s.CheckpointWrites = 0 // nothing synced by count: what survives is the page cache's
	s.CheckpointInterval = 0
	q, _ := open(t, dir, s)
	write(t, q, 0, 150)
	readAll(t, q, 30, true)
	crash(q)

	q, logs := open(t, dir, s)
	defer q.Close()
	// Pages sealed before the crash drop out when acknowledged; what was
	// acknowledged on the page that was the head is known only from its
	// last checkpoint, so it is read again: at least once, never lost.
	st := q.Stats()
	got := readAll(t, q, int(st.Unread), true)
	if len(got) == 0 || got[len(got)-1] != 149 || !slices.Equal(got, seq(got[0], 150)) || got[0] > 30 {
		t.Fatalf("after the crash read %v", got)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("errors recovering a clean crash:\n%s", logs)
	}
}

func TestTornLastRecordIsDroppedAndReported(t *testing.T) {
	dir := t.TempDir()
	q, _ := open(t, dir, small())
	write(t, q, 0, 10)
	head := q.head
	last := head.used
	crash(q)
	// The last record's header made it to the page, part of its data did
	// not: a write cut short.
	cutAt := last - 5
	f, err := os.OpenFile(head.path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 5), cutAt); err != nil {
		t.Fatal(err)
	}
	f.Close()

	q, logs := open(t, dir, small())
	defer q.Close()
	if got := readAll(t, q, 9, true); !slices.Equal(got, seq(0, 9)) {
		t.Fatalf("read %v", got)
	}
	if st := q.Stats(); st.Unread != 0 {
		t.Fatalf("the torn record was kept: %+v", st)
	}
	if !strings.Contains(logs.String(), "incomplete record") || !strings.Contains(logs.String(), head.path) {
		t.Fatalf("the torn record was not reported with its page:\n%s", logs)
	}
}

// flipByteInRecord flips one data byte of record number i in a page file.
func flipByteInRecord(t *testing.T, path string, i int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := record(i)
	at := bytes.Index(b, want)
	if at < 0 {
		t.Fatalf("record %d is not in %s", i, path)
	}
	b[at+len(want)-1] ^= 0x40
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pageHolding returns the page file holding record i.
func pageHolding(t *testing.T, dir string, i int) string {
	t.Helper()
	for _, name := range pageFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, record(i)) {
			return filepath.Join(dir, name)
		}
	}
	t.Fatalf("no page holds record %d", i)
	return ""
}

func TestFlippedByteInAMiddlePageLosesOneRecord(t *testing.T) {
	for _, how := range []string{"closed", "killed"} {
		t.Run(how, func(t *testing.T) {
			// Closed, the middle page has a sealed checkpoint and is
			// checked as it is read; killed, the last head is scanned when
			// the queue opens. Both find the bad record, report it with its
			// page and read on.
			dir := t.TempDir()
			q, _ := open(t, dir, small())
			write(t, q, 0, 200)
			if how == "closed" {
				q.Close()
			} else {
				crash(q)
			}
			victim := 100
			if how == "killed" {
				victim = 198 // on the page that was the head
			}
			path := pageHolding(t, dir, victim)
			flipByteInRecord(t, path, victim)

			q, logs := open(t, dir, small())
			defer q.Close()
			got := readAll(t, q, 199, true)
			want := slices.Delete(seq(0, 200), victim, victim+1)
			if !slices.Equal(got, want) {
				t.Fatalf("read %v", got)
			}
			if st := q.Stats(); st.Events != 0 || st.Unread != 0 {
				t.Fatalf("stats after reading everything: %+v", st)
			}
			out := logs.String()
			if !strings.Contains(out, "page is corrupt") || !strings.Contains(out, path) || !strings.Contains(out, "lost.events=1") {
				t.Fatalf("the corruption was not reported with its page:\n%s", out)
			}
		})
	}
}

func TestCorruptCheckpointReplaysInsteadOfLosing(t *testing.T) {
	dir := t.TempDir()
	s := small()
	s.CheckpointAcks = 1
	q, _ := open(t, dir, s)
	write(t, q, 0, 50)
	readAll(t, q, 10, true)
	q.Close()
	for _, name := range []string{"checkpoint.head"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := filepath.Glob(filepath.Join(dir, "checkpoint.*"))
	for _, path := range m {
		os.WriteFile(path, []byte("garbage"), 0o644)
	}
	q, logs := open(t, dir, s)
	defer q.Close()
	st := q.Stats()
	got := readAll(t, q, int(st.Unread), true)
	if got[len(got)-1] != 49 || !slices.Equal(got, seq(got[0], 50)) || got[0] > 10 {
		t.Fatalf("read %v", got)
	}
	if !strings.Contains(logs.String(), "unreadable checkpoint") {
		t.Fatalf("no report of the bad checkpoints:\n%s", logs)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func writersWaiting(q *Queue) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.writersWaiting
}

func TestMaxBytesBlocksWritersUntilPagesAreAcknowledged(t *testing.T) {
	dir := t.TempDir()
	s := small()
	s.MaxBytes = 3 * s.PageCapacity
	q, logs := open(t, dir, s)
	defer q.Close()
	const n = 300
	written := make(chan int, n)
	go func() {
		for i := range n {
			if _, _, _, err := q.Write([][]byte{record(i)}); err != nil {
				t.Error(err)
				return
			}
			written <- i
		}
		close(written)
	}()
	waitFor(t, "the writer to block on max_bytes", func() bool { return writersWaiting(q) == 1 })
	st := q.Stats()
	if st.Bytes < s.MaxBytes || st.Bytes > s.MaxBytes+s.PageCapacity {
		t.Fatalf("blocked at %d bytes, max_bytes %d", st.Bytes, s.MaxBytes)
	}
	if len(pageFiles(t, dir)) > 4 {
		t.Fatalf("the queue grew past max_bytes: %v", pageFiles(t, dir))
	}
	// Reading alone frees nothing: the pages are still needed until acknowledged.
	timer := time.NewTimer(time.Hour)
	b, _ := q.Read(nil, 3, time.Millisecond, timer)
	if writersWaiting(q) != 1 {
		t.Fatal("reading without acknowledging unblocked the writer")
	}
	q.Ack(b.Runs...)
	got := readAll(t, q, n-len(b.Records), true)
	if want := seq(len(b.Records), n); !slices.Equal(got, want) {
		t.Fatalf("read %v", got)
	}
	count := 0
	for range written {
		count++
	}
	if count != n {
		t.Fatalf("%d writes returned", count)
	}
	if !strings.Contains(logs.String(), "Persisted queue is full") {
		t.Fatalf("the full queue was not logged:\n%s", logs)
	}
}

func TestMaxEventsBlocksWritersUntilRead(t *testing.T) {
	s := small()
	s.MaxEvents = 10
	q, _ := open(t, t.TempDir(), s)
	defer q.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		write(t, q, 0, 30)
	}()
	waitFor(t, "the writer to block on max_events", func() bool { return writersWaiting(q) == 1 })
	if st := q.Stats(); st.Unread != 10 {
		t.Fatalf("blocked with %d unread, want 10", st.Unread)
	}
	got := readAll(t, q, 30, false) // reading is enough: max_events counts unread records
	<-done
	if !slices.Equal(got, seq(0, 30)) {
		t.Fatalf("read %v", got)
	}
}

func TestShutdownReleasesBlockedWriters(t *testing.T) {
	s := small()
	s.MaxEvents = 1
	q, _ := open(t, t.TempDir(), s)
	done := make(chan error, 1)
	go func() {
		_, n, _, err := q.Write([][]byte{record(0), record(1)})
		if n != 2 {
			err = fmt.Errorf("wrote %d of 2", n)
		}
		done <- err
	}()
	waitFor(t, "the writer to block", func() bool { return writersWaiting(q) == 1 })
	q.Shutdown(false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := q.Write([][]byte{record(2)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after shutdown: %v", err)
	}
	timer := time.NewTimer(time.Hour)
	if _, ok := q.Read(nil, 10, time.Millisecond, timer); ok {
		t.Fatal("read after a shutdown without drain")
	}
	q.Close()
}

func TestShutdownWithDrainReadsEverything(t *testing.T) {
	q, _ := open(t, t.TempDir(), small())
	write(t, q, 0, 20)
	q.Shutdown(true)
	got := readAll(t, q, 20, true)
	timer := time.NewTimer(time.Hour)
	if _, ok := q.Read(nil, 10, time.Millisecond, timer); ok || !slices.Equal(got, seq(0, 20)) {
		t.Fatalf("drained %v, then ok=%v", got, ok)
	}
	q.Close()
}

func TestDurabilityFollowsCheckpointWrites(t *testing.T) {
	t.Run("every write", func(t *testing.T) {
		s := small()
		s.CheckpointWrites = 1
		s.CheckpointInterval = 0
		q, _ := open(t, t.TempDir(), s)
		defer q.Close()
		for i := range 5 {
			last, _, _, err := q.Write([][]byte{record(i)})
			if err != nil {
				t.Fatal(err)
			}
			ran := false
			q.WhenDurable(last, func() { ran = true })
			if !ran {
				t.Fatalf("write %d returned before it was synced", i)
			}
		}
	})
	t.Run("every 10 writes", func(t *testing.T) {
		s := small()
		s.CheckpointWrites = 10
		s.CheckpointInterval = 0
		q, _ := open(t, t.TempDir(), s)
		defer q.Close()
		durable := make(chan uint64, 100)
		for i := range 9 {
			last, _, _, _ := q.Write([][]byte{record(i)})
			q.WhenDurable(last, func() { durable <- last })
		}
		select {
		case seq := <-durable:
			t.Fatalf("record %d synced before 10 writes", seq)
		default:
		}
		last, _, _, _ := q.Write([][]byte{record(9)})
		q.WhenDurable(last, func() { durable <- last })
		for want := uint64(1); want <= 10; want++ {
			if got := <-durable; got != want {
				t.Fatalf("callback for %d, want %d", got, want)
			}
		}
	})
	t.Run("interval", func(t *testing.T) {
		s := small()
		s.CheckpointWrites = 0
		s.CheckpointInterval = 10 * time.Millisecond
		q, _ := open(t, t.TempDir(), s)
		defer q.Close()
		last, _, _, _ := q.Write([][]byte{record(0)})
		durable := make(chan struct{})
		q.WhenDurable(last, func() { close(durable) })
		<-durable
	})
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	q, _ := open(t, dir, small())
	defer q.Close()
	if _, err := Open(dir, small(), slog.Default()); err == nil || !strings.Contains(err.Error(), "exclusive access") {
		t.Fatalf("second open: %v", err)
	}
}

func TestLogstashPagesAreRefused(t *testing.T) {
	dir := t.TempDir()
	page := make([]byte, 64)
	page[0] = logstashPageVersion
	os.WriteFile(filepath.Join(dir, "page.0"), page, 0o644)
	if _, err := Open(dir, small(), slog.Default()); err == nil || !strings.Contains(err.Error(), "written by Logstash") {
		t.Fatalf("open: %v", err)
	}
}

func TestTooLargeRecord(t *testing.T) {
	q, _ := open(t, t.TempDir(), small())
	defer q.Close()
	var tl *TooLargeError
	if _, _, _, err := q.Write([][]byte{make([]byte, 2000)}); !errors.As(err, &tl) {
		t.Fatalf("got %v", err)
	}
	// The largest record that fits does.
	if _, n, _, err := q.Write([][]byte{make([]byte, q.MaxRecord())}); err != nil || n != 1 {
		t.Fatalf("largest record: %d, %v", n, err)
	}
}

func TestSettingsValidation(t *testing.T) {
	s := DefaultSettings()
	s.MaxBytes = s.PageCapacity - 1
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "queue.page_capacity` must be smaller or equal to `queue.max_bytes`") {
		t.Fatalf("page_capacity > max_bytes: %v", err)
	}
	s = DefaultSettings()
	s.PageCapacity = 10
	if s.Validate() == nil {
		t.Fatal("a 10-byte page was accepted")
	}
}

// TestFullDiskIsBackPressure fills a real (tiny) file system: the writer
// waits, logging why, while the queue is read; acknowledging frees pages
// and writing resumes with nothing lost. It needs to mount a tmpfs.
func TestFullDiskIsBackPressure(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	s := DefaultSettings()
	s.PageCapacity = 16 << 10
	s.MaxBytes = 0 // only the disk limits the queue
	q, logs := open(t, dir, s)
	const n = 2000
	written := make(chan struct{})
	go func() {
		defer close(written)
		write(t, q, 0, n)
	}()
	waitFor(t, "the disk-full report", func() bool { return strings.Contains(logs.String(), "the disk is full") })
	got := readAll(t, q, n, true)
	<-written
	if !slices.Equal(got, seq(0, n)) {
		t.Fatalf("read %d records, not 0..%d in order", len(got), n)
	}
	if !strings.Contains(logs.String(), "inputs resume") {
		t.Fatalf("no report of writing resuming:\n%s", logs)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRecordFormat(t *testing.T) {
	// A record is a CRC of the rest, the data's length, the sequence
	// number and the data; zeros (space never written) are never a record.
	b := make([]byte, 64)
	next := int64(len(appendRecord(b[:pageHeaderSize], 7, []byte("abc"))))
	r := b[pageHeaderSize:next]
	if len(r) != recordHeaderSize+3 || binary.BigEndian.Uint32(r[4:]) != 3 || binary.BigEndian.Uint64(r[8:]) != 7 || string(r[16:]) != "abc" {
		t.Fatalf("record bytes % x", r)
	}
	if seq, data, _, ok := recordAt(b, pageHeaderSize, int64(len(b))); !ok || seq != 7 || string(data) != "abc" {
		t.Fatalf("read back %d %q %v", seq, data, ok)
	}
	if _, _, _, ok := recordAt(b, next, int64(len(b))); ok {
		t.Fatal("zeros read as a record")
	}
	for i := 4; i < len(r); i++ { // the length, the seq and the data are all covered by the CRC
		r[i] ^= 1
		if _, _, _, ok := recordAt(b, pageHeaderSize, int64(len(b))); ok {
			t.Fatalf("a flipped bit at byte %d went unnoticed", i)
		}
		r[i] ^= 1
	}
}

// TestResyncFindsRecordsAmongZeros: small sequence numbers are mostly
// zero bytes, so skipping zeros must not skip a record.
func TestResyncFindsRecordsAmongZeros(t *testing.T) {
	for start := int64(pageHeaderSize); start < pageHeaderSize+16; start++ {
		b := make([]byte, 256)
		next := int64(len(appendRecord(b[:start+40], 3, []byte{1})))
		off, seq, ok := resync(b, start, int64(len(b)), 2, 0)
		if !ok || off != start+40 || seq != 3 {
			t.Fatalf("record at %d: resync found %d %d %v", start+40, off, seq, ok)
		}
		if _, _, ok := resync(b, start+40, next, 3, 0); ok {
			t.Fatal("found a record where there is none")
		}
	}
}
