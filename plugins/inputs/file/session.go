package file

import (
	"sync"
	"sync/atomic"

	"github.com/gostash/gostash/runtime/event"
)

// session follows the events of one reading of a file (from opening, or
// from a truncation, to the end) through the pipeline. The events one line
// gave (or a codec flush) form an entry that covers the file up to an
// offset; an entry is done when every one of its events has been released,
// and the record's position moves to the offset of the last entry done
// with every entry before it done too. So a crash re-reads exactly what
// was in flight.
type session struct {
	db  *sincedb
	rec *record

	mu sync.Mutex
	// entries are in hand-over order; entries[head] is the oldest not done.
	entries  []*entry
	head     int
	ended    bool   // no more entries will come
	whenDone func() // runs once every entry is done after end
	retired  bool   // a newer session owns the record: completions change nothing
}

func newSession(db *sincedb, rec *record) *session { return &session{db: db, rec: rec} }

// entry is the events of one line (or flush), covering the file up to pos.
type entry struct {
	s       *session
	pos     int64
	pending atomic.Int32 // unreleased events
	done    bool
}

func (e *entry) release() {
	if e.pending.Add(-1) == 0 {
		e.s.complete(e)
	}
}

// add queues events that cover the file up to pos and gives each an
// acknowledgement. With no events, pos is reached as soon as every entry
// before it is done.
func (s *session) add(events []*event.Event, pos int64) {
	if len(events) == 0 {
		s.mu.Lock()
		if len(s.entries) > s.head {
			s.entries = append(s.entries, &entry{s: s, pos: pos, done: true})
			s.mu.Unlock()
			return
		}
		retired := s.retired
		s.mu.Unlock()
		if !retired {
			s.db.commit(s.rec, pos)
		}
		return
	}
	e := &entry{s: s, pos: pos}
	e.pending.Store(int32(len(events)))
	s.mu.Lock()
	s.entries = append(s.entries, e)
	s.mu.Unlock()
	release := e.release
	for _, ev := range events {
		ev.SetAck(event.NewAck(release))
	}
}

func (s *session) complete(e *entry) {
	s.mu.Lock()
	e.done = true
	n := s.head
	var pos int64
	for n < len(s.entries) && s.entries[n].done {
		pos = s.entries[n].pos
		s.entries[n] = nil
		n++
	}
	if n == s.head {
		s.mu.Unlock()
		return
	}
	s.head = n
	switch {
	case s.head == len(s.entries):
		s.entries, s.head = s.entries[:0], 0
	case s.head > 1024 && s.head > len(s.entries)/2:
		// Drop the done prefix now and then rather than on every completion.
		s.entries, s.head = s.entries[:copy(s.entries, s.entries[s.head:])], 0
	}
	retired := s.retired
	var then func()
	if s.ended && len(s.entries) == 0 {
		then, s.whenDone = s.whenDone, nil
	}
	s.mu.Unlock()
	if !retired {
		s.db.commit(s.rec, pos)
	}
	if then != nil {
		then()
	}
}

// end says no more entries will come; then runs once all are done (now, if
// they are).
func (s *session) end(then func()) {
	s.mu.Lock()
	s.ended = true
	if len(s.entries) > 0 {
		s.whenDone = then
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	if then != nil {
		then()
	}
}

// retire stops the session from moving the record: the file was truncated
// and is read again from the start under a new session.
func (s *session) retire() {
	s.mu.Lock()
	s.retired = true
	s.mu.Unlock()
}
