//go:build unix

package persisted

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// ErrClosed is what Write returns once the queue is shut down.
var ErrClosed = errors.New("the persisted queue is closed")

// TooLargeError is a record bigger than a page can hold.
type TooLargeError struct{ Size, Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("data to be written is bigger than page capacity: the event takes %d bytes, queue.page_capacity leaves room for %d", e.Size, e.Max)
}

// Queue is an open persisted queue. Any number of goroutines may Write,
// Read and Ack at once.
type Queue struct {
	dir  string
	s    Settings
	log  *slog.Logger
	lock *os.File

	// Lock order: wmu, syncMu, cpMu, mu.
	wmu    sync.Mutex // one writer at a time: appends and page rolls
	wbuf   []byte     // the records being written, laid out as on the page; under wmu
	syncMu sync.Mutex // held while the head page is synced; a roll takes it to change the head
	cpMu   sync.Mutex // checkpoint files and page deletion, one at a time

	mu         sync.Mutex
	pages      []*page // oldest first; the last is the head unless it is sealed (no head yet)
	head       *page   // where writes go; sealed when a new one must be made first
	reading    *page   // the page the next Read starts in
	nextPage   int64
	lastSeq    uint64    // the last record written
	durable    uint64    // the last record known to be on the device
	wanted     uint64    // the last record a sync was asked for
	unread     int64     // records written, not yet read (nor lost)
	unacked    int64     // records not yet acknowledged (nor lost)
	bytes      int64     // bytes used by all pages
	shut       bool      // Shutdown was called: no more writes
	drain      bool      // with shut: readers go on until everything is read
	closed     bool      // Close was called
	fullLogged time.Time // when a full queue was last logged

	pageFailureLogged time.Time // when a page that could not be created was last logged, under wmu
	pending           []durableCallback

	writersWaiting int
	writers        *sync.Cond // on mu: durability advanced, room appeared, or shut down
	readersWaiting int
	notEmpty       chan struct{} // records arrived, or the queue shut down
	syncNow        chan struct{} // wakes the syncer
	roomFreed      chan struct{} // a page was deleted: a roll waiting for disk space tries again
	closing        chan struct{}
	syncerDone     chan struct{}
}

type durableCallback struct {
	seq uint64
	fn  func()
}

// Open opens (creating it if needed) the queue in dir and recovers what
// it holds: every page file, with corrupt records reported and skipped.
// The logger receives the queue's reports.
func Open(dir string, s Settings, logger *slog.Logger) (*Queue, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the queue directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	q := &Queue{
		dir: dir, s: s, log: logger, lock: lock,
		notEmpty:   make(chan struct{}, 1),
		syncNow:    make(chan struct{}, 1),
		roomFreed:  make(chan struct{}, 1),
		closing:    make(chan struct{}),
		syncerDone: make(chan struct{}),
	}
	q.writers = sync.NewCond(&q.mu)
	if err := q.recover(); err != nil {
		for _, p := range q.pages {
			p.release()
		}
		lock.Close()
		return nil, err
	}
	go q.syncer()
	return q, nil
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Dir is the queue's directory.
func (q *Queue) Dir() string { return q.dir }

// MaxRecord is the largest record a page can hold.
func (q *Queue) MaxRecord() int64 { return q.s.maxRecord() }

// Write appends records in order and returns the sequence number of the
// last one written and how many were written: all of them, unless the
// queue was shut down while a new page waited for disk space (then err is
// ErrClosed). It then waits, as queue.checkpoint.writes says, for the
// records to reach the device, and while the queue is full; waited is how
// long. Use WhenDurable to learn when they are on the device.
func (q *Queue) Write(records [][]byte) (last uint64, n int, waited time.Duration, err error) {
	for _, r := range records {
		if int64(len(r)) > q.s.maxRecord() {
			return 0, 0, 0, &TooLargeError{Size: int64(len(r)), Max: q.s.maxRecord()}
		}
	}
	q.wmu.Lock()
	q.mu.Lock()
	shut := q.shut
	q.mu.Unlock()
	if shut {
		q.wmu.Unlock()
		return 0, 0, 0, ErrClosed
	}
	last, n, err = q.append(records)
	q.wmu.Unlock()
	if n == 0 {
		return last, n, 0, err
	}
	q.mu.Lock()
	if q.mustWait(last) {
		start := time.Now()
		for q.mustWait(last) {
			q.writersWaiting++
			q.writers.Wait()
			q.writersWaiting--
		}
		waited = time.Since(start)
	}
	q.mu.Unlock()
	return last, n, waited, err
}

// mustWait reports whether a writer that wrote up to last waits: for the
// sync queue.checkpoint.writes asks for, or for room. q.mu is held.
func (q *Queue) mustWait(last uint64) bool {
	if q.shut {
		return false
	}
	switch w := uint64(q.s.CheckpointWrites); {
	case w == 1 && q.durable < last:
		return true
	case w > 1 && last > q.durable && last-q.durable >= 2*w:
		return true
	}
	return q.isFull()
}

// isFull reports whether a limit is reached. A queue whose records are all
// acknowledged is never full: its bytes are the head page's, which only a
// new write can free by sealing it. q.mu is held.
func (q *Queue) isFull() bool {
	full := q.s.MaxEvents > 0 && q.unread >= q.s.MaxEvents ||
		q.s.MaxBytes > 0 && q.bytes >= q.s.MaxBytes && q.unacked > 0
	if full && time.Since(q.fullLogged) >= 30*time.Second {
		// Said once at info level: a queue at its limit is the normal state
		// of a pipeline whose outputs are slower than its inputs.
		level := slog.LevelInfo
		if !q.fullLogged.IsZero() {
			level = slog.LevelDebug
		}
		q.fullLogged = time.Now()
		q.log.Log(context.Background(), level, "Persisted queue is full; inputs wait until the outputs catch up",
			slog.String("path", q.dir), slog.Int64("queue.events", q.unacked), slog.Int64("queue.unread", q.unread),
			slog.Int64("queue.bytes", q.bytes), slog.Int64("queue.max_events", q.s.MaxEvents), slog.Int64("queue.max_bytes", q.s.MaxBytes))
	}
	return full
}

// WhenDurable runs fn once every record up to seq is on the device: at
// once (on this goroutine) when it already is.
func (q *Queue) WhenDurable(seq uint64, fn func()) {
	q.mu.Lock()
	if q.durable >= seq {
		q.mu.Unlock()
		fn()
		return
	}
	q.pending = append(q.pending, durableCallback{seq, fn})
	q.mu.Unlock()
}

// append writes records at the head, sealing it and starting a new page
// when the next record does not fit. The records that go to one page are
// laid out in q.wbuf and written with one pwrite. q.wmu is held.
func (q *Queue) append(records [][]byte) (last uint64, n int, err error) {
	seq := q.lastSeq
	for n < len(records) {
		head := q.head
		if head == nil || head.sealed || head.used+recordHeaderSize+int64(len(records[n])) > int64(len(head.data)) {
			if err := q.roll(); err != nil {
				return seq, n, err
			}
			continue
		}
		buf, k := q.wbuf[:0], n
		for k < len(records) && head.used+int64(len(buf))+recordHeaderSize+int64(len(records[k])) <= int64(len(head.data)) {
			buf = appendRecord(buf, seq+1+uint64(k-n), records[k])
			k++
		}
		q.wbuf = buf
		if cap(buf) > maxKeptWriteBuffer {
			q.wbuf = nil
		}
		if _, err := head.file.WriteAt(buf, head.used); err != nil {
			// The file system could not take the records (a full disk on
			// one that allocates blocks on write): seal the page before
			// them and write them to a new one.
			q.log.Warn("Persisted queue could not write to its page; sealing it and starting a new one",
				slog.String("page", head.path), slog.String("error", err.Error()))
			if err := q.roll(); err != nil {
				return seq, n, err
			}
			continue
		}
		seq += uint64(k - n)
		q.publish(head, head.used+int64(len(buf)), seq, k-n)
		n = k
	}
	return seq, n, nil
}

// maxKeptWriteBuffer is the largest write buffer kept for the next write:
// a rare huge batch does not hold its memory for good.
const maxKeptWriteBuffer = 4 << 20

// publish makes n records just written to head, ending at off with seq,
// visible to readers and to the syncer. q.wmu is held.
func (q *Queue) publish(head *page, off int64, seq uint64, n int) {
	if n == 0 {
		return
	}
	q.mu.Lock()
	q.bytes += off - head.used
	head.used = off
	head.count += uint64(n)
	q.lastSeq = seq
	q.unread += int64(n)
	q.unacked += int64(n)
	if w := uint64(q.s.CheckpointWrites); w > 0 && q.lastSeq-q.wanted >= w {
		q.wanted = q.lastSeq
		signal(q.syncNow)
	}
	wake := q.readersWaiting > 0
	q.mu.Unlock()
	if wake {
		signal(q.notEmpty)
	}
}

// roll seals the head page, durable to its end and checkpointed, and
// starts a new one. It waits while the page cannot be created (a full
// disk), until it can or the queue shuts down. q.wmu is held.
func (q *Queue) roll() error {
	q.syncMu.Lock()
	defer q.syncMu.Unlock()
	old := q.head
	sealing := old != nil && !old.sealed
	if sealing {
		if err := q.syncUntilDone(old); err != nil {
			return err
		}
		q.mu.Lock()
		old.sealed = true
		callbacks := q.setDurable(q.lastSeq)
		q.mu.Unlock()
		runAll(callbacks)
		q.cpMu.Lock()
		q.writePageCheckpoint(old, true)
		if err := old.file.Truncate(old.used); err != nil {
			q.log.Warn("Persisted queue could not trim a sealed page", slog.String("page", old.path), slog.String("error", err.Error()))
		}
		old.closeFile()
		q.cpMu.Unlock()
	}
	p, err := q.createPageWaiting()
	if err != nil {
		return err
	}
	q.mu.Lock()
	p.minSeq = q.lastSeq + 1
	p.firstUnacked, p.checkpointed, p.readSeq, p.readOff = p.minSeq, p.minSeq, p.minSeq, pageHeaderSize
	q.pages = append(q.pages, p)
	q.head = p
	q.nextPage = p.num + 1
	q.bytes += p.used
	var done *page
	if sealing && old.fullyAcked() {
		done = old
		q.removePage(old)
	}
	if q.reading == nil {
		q.reading = p
	}
	q.mu.Unlock()
	q.cpMu.Lock()
	q.writePageCheckpoint(p, true)
	if done != nil {
		q.deletePage(done)
	}
	q.cpMu.Unlock()
	return nil
}

// syncUntilDone syncs page p up to what is written, retrying every second
// while the device refuses (writers wait meanwhile). q.syncMu is held.
func (q *Queue) syncUntilDone(p *page) error {
	for attempt := 0; ; attempt++ {
		q.mu.Lock()
		used := p.used
		q.mu.Unlock()
		err := p.syncTo(used)
		if err == nil {
			return nil
		}
		if attempt%30 == 0 {
			q.log.Error("Persisted queue cannot sync its page to disk; inputs wait", slog.String("page", p.path), slog.String("error", err.Error()))
		}
		select {
		case <-q.closing:
			return ErrClosed
		case <-time.After(time.Second):
		}
	}
}

// createPageWaiting creates the next page, retrying every second (or when
// a deleted page freed room) while it cannot: a full disk is logged and
// waited out, with the inputs blocked behind the writer.
func (q *Queue) createPageWaiting() (*page, error) {
	logged := false
	for {
		p, err := createPage(q.dir, q.nextPage, q.s.PageCapacity)
		if err == nil {
			if logged {
				q.log.Info("Persisted queue created its page; inputs resume", slog.String("page", p.path))
			}
			return p, nil
		}
		// Said every 30 seconds at most, however often pages fill.
		if time.Since(q.pageFailureLogged) >= 30*time.Second {
			q.pageFailureLogged, logged = time.Now(), true
			if isDiskFull(err) {
				q.log.Warn("Persisted queue cannot create a page: the disk is full. Inputs wait until space is freed",
					slog.String("path", q.dir), slog.Int64("queue.page_capacity", q.s.PageCapacity), slog.String("error", err.Error()))
			} else {
				q.log.Error("Persisted queue cannot create a page; inputs wait, retrying every second",
					slog.String("path", q.dir), slog.String("error", err.Error()))
			}
		}
		select {
		case <-q.closing:
			return nil, ErrClosed
		case <-q.roomFreed:
		case <-time.After(time.Second):
		}
	}
}

// setDurable records that every record up to seq is on the device and
// returns the callbacks now due. q.mu is held.
func (q *Queue) setDurable(seq uint64) []func() {
	if seq <= q.durable {
		return nil
	}
	q.durable = seq
	q.wanted = max(q.wanted, seq)
	var due []func()
	k := 0
	for k < len(q.pending) && q.pending[k].seq <= seq {
		due = append(due, q.pending[k].fn)
		k++
	}
	if k > 0 {
		q.pending = append(q.pending[:0], q.pending[k:]...)
	}
	if q.writersWaiting > 0 {
		q.writers.Broadcast()
	}
	return due
}

func runAll(fns []func()) {
	for _, fn := range fns {
		fn()
	}
}

// syncer syncs the head page when writers ask (queue.checkpoint.writes)
// and every queue.checkpoint.interval, until Close.
func (q *Queue) syncer() {
	defer close(q.syncerDone)
	var tick <-chan time.Time
	if q.s.CheckpointInterval > 0 {
		t := time.NewTicker(q.s.CheckpointInterval)
		defer t.Stop()
		tick = t.C
	}
	var retry <-chan time.Time
	failures := 0
	for {
		select {
		case <-q.syncNow:
		case <-tick:
		case <-retry:
		case <-q.closing:
			return
		}
		retry = nil
		if err := q.syncHead(); err != nil {
			if failures%30 == 0 {
				q.log.Error("Persisted queue cannot sync its head page to disk; retrying every second", slog.String("path", q.dir), slog.String("error", err.Error()))
			}
			failures++
			retry = time.After(time.Second)
			continue
		}
		failures = 0
	}
}

// syncHead makes everything written so far durable.
func (q *Queue) syncHead() error {
	q.syncMu.Lock()
	q.mu.Lock()
	head, seq := q.head, q.lastSeq
	if head == nil || head.sealed || seq <= q.durable {
		q.mu.Unlock()
		q.syncMu.Unlock()
		return nil
	}
	used := head.used
	q.mu.Unlock()
	err := head.syncTo(used)
	q.syncMu.Unlock()
	if err != nil {
		return fmt.Errorf("syncing %s: %w", head.path, err)
	}
	q.mu.Lock()
	callbacks := q.setDurable(seq)
	q.mu.Unlock()
	runAll(callbacks)
	return nil
}

// Batch is what Read returns: records and their sequence numbers, as runs
// of consecutive numbers (readers waiting for more records take turns, so
// a batch need not be one run). Acknowledge each run with Ack once the
// records are processed. Records point into the pages and stay valid until
// then, or until Close.
type Batch struct {
	Records [][]byte
	Runs    []Run
}

// Run is the sequence numbers First to Last.
type Run struct{ First, Last uint64 }

// Read waits for records and returns up to max of them, reusing recs for
// the batch. It waits as long as it takes for the first, then at most delay
// for each next one (timer is the caller's, to reuse). ok is false once the
// queue is shut down and, unless draining, at once; when draining, once
// every record is read.
func (q *Queue) Read(recs [][]byte, max int, delay time.Duration, timer *time.Timer) (b Batch, ok bool) {
	b.Records = recs[:0]
	q.mu.Lock()
	unreadBefore := q.unread
	for !q.shut || q.drain {
		q.grab(&b, max)
		if len(b.Records) == max || q.readDone() {
			break
		}
		q.readersWaiting++
		q.mu.Unlock()
		timedOut := false
		if len(b.Records) == 0 {
			<-q.notEmpty
		} else {
			timer.Reset(delay)
			select {
			case <-q.notEmpty:
				timer.Stop()
			case <-timer.C:
				timedOut = true
			}
		}
		q.mu.Lock()
		q.readersWaiting--
		if timedOut {
			q.grab(&b, max)
			break
		}
	}
	// Reading makes room under queue.max_events.
	if q.writersWaiting > 0 && q.unread < unreadBefore {
		q.writers.Broadcast()
	}
	wakeReader := q.readersWaiting > 0 && (q.unread > 0 || q.shut)
	q.mu.Unlock()
	if wakeReader {
		signal(q.notEmpty)
	}
	return b, len(b.Records) > 0
}

// readDone reports whether readers should stop. q.mu is held.
func (q *Queue) readDone() bool { return q.shut && (!q.drain || q.unread == 0) }

// grab moves records to b, up to max in all, from the pages in order.
// q.mu is held.
func (q *Queue) grab(b *Batch, max int) {
	for len(b.Records) < max {
		p := q.reading
		if p == nil {
			return
		}
		if p.readSeq >= p.end() {
			if !p.sealed {
				return
			}
			q.reading = q.pageAfter(p.num)
			continue
		}
		seq, data, next, ok := recordAt(p.data, p.readOff, p.used)
		if !ok || seq < p.readSeq || seq >= p.end() {
			q.skipCorrupt(p)
			continue
		}
		if seq > p.readSeq {
			// The records between were found lost when the page was
			// recovered (they are acknowledged already).
			q.skipTo(p, seq)
		}
		p.readOff, p.readSeq = next, seq+1
		if p.isAcked(seq) {
			// Acknowledged before a restart.
			continue
		}
		q.unread--
		if n := len(b.Runs); n > 0 && b.Runs[n-1].Last+1 == seq {
			b.Runs[n-1].Last = seq
		} else {
			b.Runs = append(b.Runs, Run{seq, seq})
		}
		b.Records = append(b.Records, data)
	}
}

// pageAfter is the first page numbered after num, or nil. q.mu is held.
func (q *Queue) pageAfter(num int64) *page {
	for _, p := range q.pages {
		if p.num > num {
			return p
		}
	}
	return nil
}

// skipCorrupt handles an invalid record where p's next record should be:
// it is reported with the page file, and reading goes on at the next valid
// record; the records between are lost. q.mu is held.
func (q *Queue) skipCorrupt(p *page) {
	bad := p.readOff
	maxSeq := p.end() - 1
	off, seq, found := resync(p.data, bad, p.used, p.readSeq-1, maxSeq)
	if !found {
		off, seq = p.used, p.end()
	}
	first := p.readSeq
	// Records found lost when the page was recovered were reported then.
	if lost := q.skipTo(p, seq); lost > 0 {
		q.log.Error("Persisted queue page is corrupt: events are lost, reading goes on after them",
			slog.String("page", p.path), slog.Int64("offset", bad), slog.Uint64("lost.first_seq", first),
			slog.Int64("lost.events", lost), slog.Int64("resumed.offset", off))
	}
	p.readOff = off
}

// skipTo gives up p's records before seq, which cannot be read: they count
// as read and acknowledged. It returns how many were not already. q.mu is
// held.
func (q *Queue) skipTo(p *page, seq uint64) (lost int64) {
	for s := p.readSeq; s < seq; s++ {
		if !p.isAcked(s) {
			q.unread--
			p.ack(s)
			q.unacked--
			lost++
		}
	}
	p.readSeq = seq
	return lost
}

func (p *page) isAcked(seq uint64) bool {
	if seq < p.firstUnacked {
		return true
	}
	i := seq - p.minSeq
	w := int(i / 64)
	return w < len(p.acked) && p.acked[w]&(1<<(i%64)) != 0
}

// Ack acknowledges the records of runs (a Batch's): the outputs are done
// with them. A sealed page whose records are all acknowledged is deleted; a
// page whose first unacknowledged record moved queue.checkpoint.acks
// records is checkpointed.
func (q *Queue) Ack(runs ...Run) {
	var done, due []*page
	q.mu.Lock()
	for _, p := range q.pages {
		touched := false
		for _, r := range runs {
			if p.end() <= r.First || p.minSeq > r.Last {
				continue
			}
			touched = true
			for s := max(r.First, p.minSeq); s <= r.Last && s < p.end(); s++ {
				if p.ack(s) {
					q.unacked--
				}
			}
		}
		if !touched {
			continue
		}
		switch {
		case p.sealed && p.fullyAcked():
			done = append(done, p)
		case q.s.CheckpointAcks > 0 && p.firstUnacked-p.checkpointed >= uint64(q.s.CheckpointAcks):
			// Marked now, so that concurrent acks do not ask again.
			p.checkpointed = p.firstUnacked
			due = append(due, p)
		}
	}
	for _, p := range done {
		q.removePage(p)
	}
	if len(done) > 0 && q.writersWaiting > 0 {
		q.writers.Broadcast()
	}
	q.mu.Unlock()
	if len(done) == 0 && len(due) == 0 {
		return
	}
	q.cpMu.Lock()
	for _, p := range due {
		q.writePageCheckpoint(p, false)
	}
	for _, p := range done {
		q.deletePage(p)
	}
	q.cpMu.Unlock()
	if len(done) > 0 {
		signal(q.roomFreed)
	}
}

// removePage takes a fully acknowledged page out of the queue; its files
// go with deletePage. q.mu is held.
func (q *Queue) removePage(p *page) {
	if i := slices.Index(q.pages, p); i >= 0 {
		q.pages = slices.Delete(q.pages, i, i+1)
		q.bytes -= p.used
	}
}

// deletePage removes a page's files. q.cpMu is held.
func (q *Queue) deletePage(p *page) {
	if p.deleted {
		return
	}
	p.deleted = true
	p.closeCheckpoint()
	if err := p.release(); err != nil {
		q.log.Warn("Persisted queue could not unmap a page", slog.String("page", p.path), slog.String("error", err.Error()))
	}
	for _, path := range []string{p.path, filepath.Join(q.dir, checkpointName(p.num))} {
		if err := removeIfExists(path); err != nil {
			q.log.Warn("Persisted queue could not delete a processed page", slog.String("path", path), slog.String("error", err.Error()))
		}
	}
}

// writePageCheckpoint writes p's checkpoint: checkpoint.N for a sealed
// page, checkpoint.head for the head. A failure is logged: checkpoints
// only save replaying processed events after a crash. q.cpMu is held.
func (q *Queue) writePageCheckpoint(p *page, durable bool) {
	if p.deleted {
		return
	}
	q.mu.Lock()
	c := checkpoint{pageNum: p.num, firstUnackedSeq: p.firstUnacked, minSeq: p.minSeq, count: p.count, used: p.used}
	c.firstUnackedPageNum = p.num
	if len(q.pages) > 0 {
		c.firstUnackedPageNum = q.pages[0].num
	}
	name := headCheckpoint
	if p.sealed {
		name = checkpointName(p.num)
	}
	p.checkpointed = max(p.checkpointed, p.firstUnacked)
	q.mu.Unlock()
	var err error
	if durable {
		// The rename replaces the file: an open one would be stale.
		p.closeCheckpoint()
		err = writeCheckpoint(q.dir, name, c, durable, q.s.CheckpointRetry)
	} else {
		err = p.overwriteCheckpoint(q.dir, name, c)
	}
	if err != nil {
		q.log.Error("Persisted queue could not write a checkpoint", slog.String("error", err.Error()))
	}
}

// Shutdown ends writing: writers waiting for room or for a sync return,
// and later writes fail with ErrClosed. Readers then get what is left when
// drain is set (queue.drain), or nothing more.
func (q *Queue) Shutdown(drain bool) {
	q.mu.Lock()
	q.shut, q.drain = true, drain
	q.writers.Broadcast()
	q.mu.Unlock()
	signal(q.notEmpty)
}

// Close shuts the queue down (without draining, if Shutdown was not
// called), syncs the head page, checkpoints every page durably and
// releases the files. Records read but not acknowledged stay in the queue:
// they are read again when it is next opened. Nothing may use a Batch
// after Close.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	if !q.shut {
		q.shut = true
		q.writers.Broadcast()
	}
	q.mu.Unlock()
	signal(q.notEmpty)
	close(q.closing)
	<-q.syncerDone

	q.wmu.Lock()
	defer q.wmu.Unlock()
	q.syncMu.Lock()
	defer q.syncMu.Unlock()
	var errs []error
	if h := q.head; h != nil && !h.sealed {
		q.mu.Lock()
		used, seq := h.used, q.lastSeq
		q.mu.Unlock()
		if err := h.syncTo(used); err != nil {
			errs = append(errs, fmt.Errorf("syncing %s: %w", h.path, err))
		} else {
			q.mu.Lock()
			callbacks := q.setDurable(seq)
			q.mu.Unlock()
			runAll(callbacks)
		}
	}
	q.cpMu.Lock()
	for _, p := range q.pages {
		q.writePageCheckpoint(p, true)
		p.closeCheckpoint()
		if err := p.release(); err != nil {
			errs = append(errs, err)
		}
	}
	q.cpMu.Unlock()
	q.log.Info("Persisted queue closed", slog.String("path", q.dir), slog.Int64("queue.events", q.unacked), slog.Int64("queue.bytes", q.bytes))
	errs = append(errs, q.lock.Close())
	return errors.Join(errs...)
}

// Stats are a queue's figures for the monitoring API.
type Stats struct {
	Events int64 // records not yet acknowledged
	Unread int64 // records not yet read
	Bytes  int64 // bytes used by the pages
	Pages  int
}

// Stats returns the queue's current figures.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return Stats{Events: q.unacked, Unread: q.unread, Bytes: q.bytes, Pages: len(q.pages)}
}
