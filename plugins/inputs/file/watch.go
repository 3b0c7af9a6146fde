package file

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// state is where a watched file is in its life.
type state int

const (
	stWatched state = iota // waiting to be opened
	stActive               // open and read as it grows
	stClosed               // tail: closed by close_older until it changes
	stIgnored              // older than ignore_older, until it changes
	stDone                 // read mode: read to the end
)

// The warnings Logstash rate-limits, and the environment variables that
// set their intervals in seconds.
var (
	openWarnInterval     = envSeconds("FILEWATCH_OPEN_WARN_INTERVAL", 300)
	maxFilesWarnInterval = envSeconds("FILEWATCH_MAX_FILES_WARN_INTERVAL", 20)
)

func envSeconds(name string, def int) time.Duration {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return time.Duration(n) * time.Second
	}
	return time.Duration(def) * time.Second
}

// tailSize is how many of the last bytes read are kept to recognise a file
// truncated and refilled between two looks.
const tailSize = 16

// deletedWarning is Logstash's message for a file that went away before it
// was read to the end.
const deletedWarning = "watched file path was deleted or rotated before all content was read, if the file is found again it will be read from the last position"

// stream is one watched file: the file at a path, read with its own codec.
type stream struct {
	path      string
	pathValue any // path, boxed once for the events' fields
	key       fileKey
	rec       *record
	state     state
	f         *os.File
	size      int64 // at the last stat
	mtime     time.Time

	readPos int64  // the offset of the next byte to read
	partial []byte // the bytes after the last delimiter read
	codec   plugin.Codec
	holding plugin.HoldingCodec // the codec, when it may hold lines back
	idle    time.Duration       // flush the holding codec after this pause (0: never)
	ends    []int64             // end offsets of lines the holding codec may still hold
	decoded int64               // end offset of the last line decoded
	handed  int64               // offset up to which lines' events were handed over
	sess    *session

	// tail is the last bytes read before readPos: a file that no longer
	// has them there was truncated and rewritten past where it was read.
	tail    [tailSize]byte
	tailLen int

	lastLine     time.Time // when the holding codec was last given a line
	lastRead     time.Time // when data was last read (close_older)
	missing      bool      // the path failed to stat once; a second failure means it is gone
	openWarnedAt time.Time
}

// watcher is one Run of the input: it finds files, reads them and hands
// their events over, all on one goroutine; released events move sincedb
// positions from the pipeline's workers.
type watcher struct {
	in    *Input
	cfg   *config
	db    *sincedb
	out   plugin.Emitter
	batch plugin.BatchEmitter
	log   *slog.Logger

	paths map[string]*stream
	byKey map[fileKey]*stream

	chunk   []byte
	events  []*event.Event
	collect func(*event.Event)

	hostValue   any // the host name, boxed once
	maxWarnedAt time.Time

	// forgotten are paths of completed files deleted by file_completed_action
	// (on a pipeline worker): the watcher forgets them, so that a new file at
	// the same path is read.
	forgetMu  sync.Mutex
	forgotten []string
	logMu     sync.Mutex
}

func newWatcher(in *Input, db *sincedb, out plugin.Emitter) *watcher {
	w := &watcher{in: in, cfg: &in.cfg, db: db, out: out, log: in.log,
		paths: map[string]*stream{}, byKey: map[fileKey]*stream{}, chunk: make([]byte, in.cfg.chunkSize)}
	w.batch, _ = out.(plugin.BatchEmitter)
	w.hostValue = in.host
	w.collect = func(e *event.Event) { w.events = append(w.events, e) }
	return w
}

// run is the watch loop: discover, restat, read, sleep stat_interval.
func (w *watcher) run(ctx context.Context) error {
	w.log.Info("START, creating Discoverer, Watch with file and sincedb collections")
	defer w.shutdown()
	w.discover(true)
	rounds := 0
	for ctx.Err() == nil {
		w.forgetCompleted()
		w.restatAll()
		w.process(ctx)
		if w.cfg.exitAfterRead && w.allRead() {
			return nil
		}
		rounds++
		if rounds >= w.cfg.discoverEvery && !w.cfg.exitAfterRead {
			w.discover(false)
			rounds = 0
		}
		t := time.NewTimer(w.cfg.stat)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	return nil
}

// shutdown flushes the codec of every file (a multiline codec emits what
// it holds, as Logstash's exit_flush does) and closes them. Tail mode's
// unterminated last lines stay unread: the sincedb position is before them.
func (w *watcher) shutdown() {
	w.log.Info("QUIT - closing all files and shutting down.")
	for _, s := range w.sorted() {
		w.flushCodec(s)
		w.closeFile(s)
		if s.rec != nil {
			w.db.mu.Lock()
			s.rec.live = false
			w.db.mu.Unlock()
		}
	}
}

func (w *watcher) excluded(path string) bool {
	base := filepath.Base(path)
	for _, p := range w.cfg.exclude {
		if nameMatches(p, base) {
			return true
		}
	}
	return false
}

// discover globs every path pattern and starts watching the regular files
// it has not seen; initial is the first pass after start-up, the one
// start_position applies to.
func (w *watcher) discover(initial bool) {
	for _, pattern := range w.cfg.paths {
		for _, p := range glob(pattern) {
			if _, known := w.paths[p]; known || w.excluded(p) {
				continue
			}
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			w.found(p, fi, initial)
		}
	}
}

// found starts watching the file at path, or notices that a file already
// read under another name was renamed to it.
func (w *watcher) found(path string, fi os.FileInfo, initial bool) {
	key := keyOf(fi)
	if s := w.byKey[key]; s != nil {
		if cur, err := os.Stat(s.path); err == nil && keyOf(cur) == key {
			return // the same file under a second name: read it once
		}
		w.renamed(s, path)
		return
	}
	s := &stream{path: path, pathValue: path, key: key, size: fi.Size(), mtime: fi.ModTime(), state: stWatched}
	ignored := w.cfg.ignoreOlder > 0 && time.Since(s.mtime) > w.cfg.ignoreOlder
	w.db.mu.Lock()
	rec := w.db.records[key]
	if rec != nil && rec.fpLen > 0 {
		fp, at := rec.fp, max(rec.position, rec.handed)-int64(rec.fpLen)
		w.db.mu.Unlock()
		reused := !sameBytes(path, at, fp[:rec.fpLen])
		w.db.mu.Lock()
		if reused {
			// The inode was freed and reused since this process read it:
			// the bytes before the recorded position are not the ones read
			// there.
			delete(w.db.records, key)
			rec = nil
		}
	}
	switch {
	case rec != nil && (rec.path == "" || rec.path == path):
		// Known: resume where handling (or, in this process, handing
		// over) stopped. Read to the end before, it waits for a change.
		s.readPos = max(rec.position, rec.handed)
		rec.path = path
		rec.fpLen = 0
		w.db.touch(rec)
		ignored = ignored || s.readPos >= s.size
	default:
		if rec != nil {
			// The inode was some other file's: start afresh.
			delete(w.db.records, key)
		}
		start := int64(0)
		if ignored || !w.cfg.readMode && initial && w.cfg.startAtEnd {
			start = s.size
		}
		rec = &record{key: key, position: start, path: path}
		s.readPos = start
		w.db.put(rec)
		w.db.touch(rec)
	}
	rec.handed = s.readPos
	rec.live = true
	s.rec = rec
	w.db.mu.Unlock()
	s.decoded, s.handed = s.readPos, s.readPos
	if ignored {
		// Its content counts as read; it is not opened until it changes.
		s.state = stIgnored
		s.readPos = max(s.readPos, s.size)
	}
	w.paths[path] = s
	w.byKey[key] = s
}

// renamed moves a stream to the new path a rename gave its file, and looks
// at once at what its old path now holds.
func (w *watcher) renamed(s *stream, path string) {
	old := s.path
	delete(w.paths, old)
	s.path, s.pathValue = path, path
	s.missing = false
	w.paths[path] = s
	w.db.mu.Lock()
	s.rec.path = path
	w.db.touch(s.rec)
	w.db.mu.Unlock()
	if fi, err := os.Stat(old); err == nil && fi.Mode().IsRegular() && !w.excluded(old) {
		if _, known := w.paths[old]; !known {
			w.found(old, fi, false)
		}
	}
}

// restatAll checks every watched path for growth, truncation, rotation and
// deletion.
func (w *watcher) restatAll() {
	for _, s := range w.sorted() {
		if s.state == stDone {
			continue
		}
		fi, err := os.Stat(s.path)
		if err != nil {
			if s.missing {
				w.gone(s)
			} else {
				s.missing = true
			}
			continue
		}
		s.missing = false
		if key := keyOf(fi); key != s.key {
			w.rotated(s, fi)
			continue
		}
		prev, prevMtime := s.size, s.mtime
		s.size, s.mtime = fi.Size(), fi.ModTime()
		if s.state == stActive && s.size >= s.readPos && (s.size != prev || !s.mtime.Equal(prevMtime)) && w.rewritten(s) {
			w.truncated(s, prev)
			continue
		}
		switch s.state {
		case stClosed:
			if s.size != s.readPos {
				s.state = stWatched
			}
		case stIgnored:
			if s.size != s.readPos {
				w.unignore(s)
			}
		}
		if s.size < s.readPos && (s.state == stActive || s.state == stWatched) {
			w.truncated(s, prev)
		}
	}
}

// rewritten reports whether the bytes before the read position are no
// longer those read there: copy-truncate rotation while the writer went on,
// so the file grew back past the read position before it was looked at.
func (w *watcher) rewritten(s *stream) bool {
	if s.tailLen == 0 || s.f == nil {
		return false
	}
	var now [tailSize]byte
	n, err := s.f.ReadAt(now[:s.tailLen], s.readPos-int64(s.tailLen))
	return err == nil && n == s.tailLen && !bytes.Equal(now[:n], s.tail[:s.tailLen])
}

// unignore starts reading a file that was older than ignore_older once it
// changes: from the size it had then, or from the start if it shrank.
func (w *watcher) unignore(s *stream) {
	if s.size < s.readPos {
		s.readPos = 0
	}
	w.db.mu.Lock()
	if s.rec.position != s.readPos {
		s.rec.position = s.readPos
		w.db.touch(s.rec)
	}
	s.rec.handed = s.readPos
	w.db.mu.Unlock()
	s.decoded, s.handed = s.readPos, s.readPos
	s.state = stWatched
}

// truncated starts a file over that shrank (copy-truncate rotation): the
// events already handed over keep their old positions out of the record.
func (w *watcher) truncated(s *stream, prevSize int64) {
	if unread := prevSize - s.readPos; unread > 0 {
		w.log.Warn("potential data loss, file truncate detected with "+strconv.FormatInt(unread, 10)+" unread bytes", slog.String("path", s.path))
	}
	w.flushCodec(s)
	if s.sess != nil {
		s.sess.retire()
		s.sess = newSession(w.db, s.rec)
	}
	w.db.mu.Lock()
	s.rec.position, s.rec.handed = 0, 0
	w.db.touch(s.rec)
	w.db.mu.Unlock()
	s.readPos, s.decoded, s.handed = 0, 0, 0
	s.tailLen = 0
	s.partial = s.partial[:0]
	s.ends = s.ends[:0]
	if s.f != nil {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			w.closeFile(s)
			s.state = stWatched
		}
	}
}

// rotated handles a path that now holds another file: the file read so far
// is finished from its open handle, and the new one is watched.
func (w *watcher) rotated(s *stream, fi os.FileInfo) {
	if s.f == nil && s.readPos < s.size && s.state != stIgnored {
		w.log.Warn(">>> Rotation In Progress - inode change detected and original content is not fully read, file is closed and path points to new content", slog.String("path", s.path))
	}
	path := s.path
	w.detach(s)
	w.found(path, fi, false)
}

// gone handles a path that failed to stat twice in a row.
func (w *watcher) gone(s *stream) {
	if s.f == nil && s.readPos < s.size && s.state != stIgnored {
		w.log.Warn(deletedWarning, slog.String("path", s.path), slog.Int64("unread_bytes", s.size-s.readPos))
	}
	w.detach(s)
}

// detach stops watching a file that left its path. An open handle is read
// to its end first, then the codec flushed. A file renamed away keeps its
// record without a path, so that it resumes if it turns up under a watched
// name, with the bytes before that point to recognise it by; a deleted one
// loses its record.
func (w *watcher) detach(s *stream) {
	deleted, hadHandle := false, s.f != nil
	var fp [tailSize]byte
	fpLen := 0
	if hadHandle {
		if s.state == stActive {
			w.drain(s)
		}
		if fi, err := s.f.Stat(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink == 0 {
				deleted = true
			}
		}
	}
	w.flushCodec(s)
	if hadHandle && s.rec != nil && !deleted {
		fpLen = readFingerprint(s.f, max(s.rec.position, s.rec.handed), &fp)
	}
	w.closeFile(s)
	delete(w.paths, s.path)
	delete(w.byKey, s.key)
	if s.rec == nil {
		return
	}
	w.db.mu.Lock()
	defer w.db.mu.Unlock()
	s.rec.live = false
	switch {
	case !hadHandle:
		// Renamed or deleted, no one can tell: the record keeps its path,
		// so the file is read again (not skipped) if it turns up renamed.
	case deleted:
		if w.db.records[s.key] == s.rec {
			delete(w.db.records, s.key)
		}
	default:
		s.rec.path = ""
		s.rec.fp, s.rec.fpLen = fp, fpLen
		w.db.touch(s.rec)
	}
}

// readFingerprint reads the bytes just before pos (up to tailSize).
func readFingerprint(f *os.File, pos int64, fp *[tailSize]byte) int {
	n := int(min(pos, tailSize))
	if n == 0 {
		return 0
	}
	got, err := f.ReadAt(fp[:n], pos-int64(n))
	if err != nil || got != n {
		return 0
	}
	return n
}

// sameBytes reports whether the file at path holds want at offset at.
func sameBytes(path string, at int64, want []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	got := make([]byte, len(want))
	n, err := f.ReadAt(got, at)
	return err == nil && n == len(want) && bytes.Equal(got, want)
}

// drain reads an open file to its end, whatever file_chunk_count says.
func (w *watcher) drain(s *stream) {
	for {
		n, err := s.f.Read(w.chunk)
		if n > 0 {
			w.consume(s, w.chunk[:n])
		}
		if n == 0 || err != nil {
			return
		}
	}
}

// sorted lists the streams in file_sort_by / file_sort_direction order.
func (w *watcher) sorted() []*stream {
	list := make([]*stream, 0, len(w.paths))
	for _, s := range w.paths {
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b *stream) int {
		c := 0
		if !w.cfg.sortByPath {
			c = a.mtime.Compare(b.mtime)
		}
		if c == 0 {
			c = strings.Compare(a.path, b.path)
		}
		if w.cfg.descending {
			c = -c
		}
		return c
	})
	return list
}

// process opens waiting files up to max_open_files and reads the open ones.
func (w *watcher) process(ctx context.Context) {
	list := w.sorted()
	open := 0
	for _, s := range list {
		if s.state == stActive {
			open++
		}
	}
	waiting := 0
	for _, s := range list {
		if ctx.Err() != nil {
			return
		}
		if s.state == stWatched {
			if open >= w.cfg.maxOpen {
				waiting++
				continue
			}
			if !w.open(s) {
				continue
			}
			open++
		}
		if s.state != stActive {
			continue
		}
		if w.cfg.readMode {
			w.readAll(ctx, s)
			if s.state != stActive {
				open--
			}
			continue
		}
		w.readSome(ctx, s)
		w.idleFlush(s)
		if w.cfg.closeOlder > 0 && s.readPos >= s.size && time.Since(s.lastRead) > w.cfg.closeOlder {
			w.flushCodec(s)
			w.closeFile(s)
			s.state = stClosed
			open--
		}
	}
	if waiting > 0 && time.Since(w.maxWarnedAt) > maxFilesWarnInterval {
		w.log.Warn("Reached open files limit: " + strconv.Itoa(w.cfg.maxOpen) + ", set by the 'max_open_files' option or default, files yet to open: " + strconv.Itoa(waiting))
		w.maxWarnedAt = time.Now()
	}
}

// open opens a waiting file at its read position and gives it a codec and
// a session.
func (w *watcher) open(s *stream) bool {
	f, err := os.Open(s.path)
	if err == nil && s.readPos > 0 && !isGzip(s.path) {
		_, err = f.Seek(s.readPos, io.SeekStart)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		if s.openWarnedAt.IsZero() || time.Since(s.openWarnedAt) > openWarnInterval {
			msg := "failed to open file"
			if w.cfg.readMode {
				msg = "failed to open"
			}
			w.log.Warn(msg, slog.String("path", s.path), slog.String("message", err.Error()))
			s.openWarnedAt = time.Now()
		}
		return false
	}
	s.f = f
	s.state = stActive
	s.lastRead = time.Now()
	if s.codec == nil {
		s.codec = w.in.settings.NewCodec()
		if h, ok := s.codec.(plugin.HoldingCodec); ok {
			s.holding = h
			s.idle = h.TakeIdleFlush()
		}
	}
	if s.sess == nil {
		s.sess = newSession(w.db, s.rec)
	}
	return true
}

func (w *watcher) closeFile(s *stream) {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// readSome reads an open file in tail mode: up to file_chunk_count chunks,
// or to its end.
func (w *watcher) readSome(ctx context.Context, s *stream) {
	for i := int64(0); i < w.cfg.chunkCount && ctx.Err() == nil; i++ {
		n, err := s.f.Read(w.chunk)
		if n > 0 {
			w.consume(s, w.chunk[:n])
		}
		if err != nil && !errors.Is(err, io.EOF) {
			w.log.Error("controlled_read general error reading", slog.String("path", s.path), slog.String("message", err.Error()))
			return
		}
		if n == 0 {
			return
		}
	}
}

// consume splits data read at s.readPos into lines, decodes them and hands
// their events over; bytes after the last delimiter wait for the next read.
func (w *watcher) consume(s *stream, data []byte) {
	base := s.readPos
	s.readPos += int64(len(data))
	s.lastRead = time.Now()
	if len(data) >= tailSize {
		s.tailLen = copy(s.tail[:], data[len(data)-tailSize:])
	} else {
		keep := min(s.tailLen, tailSize-len(data))
		copy(s.tail[:], s.tail[s.tailLen-keep:s.tailLen])
		s.tailLen = keep + copy(s.tail[keep:], data)
	}
	delim := w.cfg.delimiter
	k := len(delim)
	gotLine := false
	start := 0
	if len(s.partial) > 0 {
		// The delimiter may straddle the held bytes and the new ones.
		for j := max(0, len(s.partial)-k+1); j < len(s.partial); j++ {
			if need := k - (len(s.partial) - j); need <= len(data) && bytes.Equal(s.partial[j:], delim[:k-need]) && bytes.Equal(data[:need], delim[k-need:]) {
				w.decode(s, s.partial[:j], base+int64(need))
				s.partial = s.partial[:0]
				start = need
				gotLine = true
				break
			}
		}
		if len(s.partial) > 0 {
			i := bytes.Index(data, delim)
			if i < 0 {
				s.partial = append(s.partial, data...)
				return
			}
			s.partial = append(s.partial, data[:i]...)
			w.decode(s, s.partial, base+int64(i+k))
			s.partial = s.partial[:0]
			start = i + k
			gotLine = true
		}
	}
	for {
		i := bytes.Index(data[start:], delim)
		if i < 0 {
			break
		}
		w.decode(s, data[start:start+i], base+int64(start+i+k))
		start += i + k
		gotLine = true
	}
	s.partial = append(s.partial, data[start:]...)
	if gotLine {
		if s.holding != nil {
			s.lastLine = s.lastRead
		}
		w.emit()
	}
}

// decode gives one line, which ends (delimiter included) at end, to the
// codec, and queues its events as covering the file up to the last line
// the codec does not still hold.
func (w *watcher) decode(s *stream, line []byte, end int64) {
	mark := len(w.events)
	s.codec.Decode(line, w.collect)
	s.decoded = end
	pos := end
	if s.holding != nil {
		s.ends = append(s.ends, end)
		held := min(s.holding.Held(), len(s.ends))
		if i := len(s.ends) - held - 1; i >= 0 {
			pos = s.ends[i]
		} else {
			pos = s.handed
		}
		s.ends = s.ends[:copy(s.ends, s.ends[len(s.ends)-held:])]
	}
	w.cover(s, mark, pos)
}

// cover decorates the events collected since mark and queues them in the
// file's session as covering it up to pos.
func (w *watcher) cover(s *stream, mark int, pos int64) {
	pos = max(pos, s.handed)
	events := w.events[mark:]
	if len(events) == 0 && pos == s.handed {
		return
	}
	for _, e := range events {
		w.decorate(s, e)
	}
	s.sess.add(events, pos)
	s.handed = pos
	s.rec.handed = pos
}

// emit queues the collected events, in order, at once when the pipeline
// takes batches.
func (w *watcher) emit() {
	if len(w.events) == 0 {
		return
	}
	if w.batch != nil {
		w.batch.EmitDecoratedBatch(w.events)
	} else {
		for _, e := range w.events {
			w.out.EmitDecorated(e)
		}
	}
	clear(w.events)
	w.events = w.events[:0]
}

// decorate adds the file input's fields (Logstash's post_process_this):
// @metadata path and host always, the host and path fields when absent,
// then the input's common options.
func (w *watcher) decorate(s *stream, e *event.Event) {
	meta := e.Metadata()
	meta.Set("path", s.pathValue)
	meta.Set("host", w.hostValue)
	data := e.Data()
	if w.cfg.ecs {
		setIfAbsent(data, w.hostValue, "host", "name")
		setIfAbsent(data, s.pathValue, "log", "file", "path")
	} else {
		setIfAbsent(data, w.hostValue, "host")
		setIfAbsent(data, s.pathValue, "path")
	}
	w.out.Decorate(e)
}

// setIfAbsent sets the field at keys (a nested field such as [log][file][path])
// unless it is there. Like Logstash, it gives up where a parent is not a
// hash (a string host in ECS mode).
func setIfAbsent(m *event.Map, v any, keys ...string) {
	for i, k := range keys {
		cur, ok := m.Get(k)
		if i == len(keys)-1 {
			if !ok {
				m.Set(k, v)
			}
			return
		}
		if !ok || cur == nil {
			next := event.NewMap(1)
			m.Set(k, next)
			m = next
			continue
		}
		if m, ok = cur.(*event.Map); !ok {
			return
		}
	}
}

// flushCodec emits what the file's codec holds (a multiline event) as
// covering every line decoded.
func (w *watcher) flushCodec(s *stream) {
	if s.codec == nil {
		return
	}
	mark := len(w.events)
	s.codec.Flush(w.collect)
	s.ends = s.ends[:0]
	w.cover(s, mark, s.decoded)
	w.emit()
}

// idleFlush flushes a holding codec whose file has given no line for its
// auto_flush_interval.
func (w *watcher) idleFlush(s *stream) {
	if s.idle > 0 && len(s.ends) > 0 && time.Since(s.lastLine) >= s.idle {
		w.flushCodec(s)
	}
}

// readAll reads a file in read mode: file_chunk_count chunks per round, and
// at its end the last line even without a delimiter; once its events are
// all handled the file is completed (file_completed_action).
func (w *watcher) readAll(ctx context.Context, s *stream) {
	if isGzip(s.path) {
		w.readGzip(ctx, s)
		return
	}
	for i := int64(0); i < w.cfg.chunkCount; i++ {
		if ctx.Err() != nil {
			return
		}
		n, err := s.f.Read(w.chunk)
		if n > 0 {
			w.consume(s, w.chunk[:n])
		}
		if err != nil && !errors.Is(err, io.EOF) {
			w.log.Error("controlled_read: general error reading file", slog.String("path", s.path), slog.String("message", err.Error()))
			return
		}
		if n == 0 {
			break
		}
	}
	if fi, err := s.f.Stat(); err == nil && s.readPos < fi.Size() {
		return // more next round
	}
	if len(s.partial) > 0 {
		w.decode(s, s.partial, s.readPos)
		s.partial = s.partial[:0]
	}
	w.finishRead(s)
}

// finishRead ends a file in read mode: flush, close, and complete it once
// its events are handled.
func (w *watcher) finishRead(s *stream) {
	w.flushCodec(s)
	w.closeFile(s)
	s.state = stDone
	path := s.path
	s.sess.end(func() { w.completed(path) })
	if w.cfg.exitAfterRead {
		delete(w.paths, s.path)
		delete(w.byKey, s.key)
		w.db.mu.Lock()
		s.rec.live = false
		w.db.mu.Unlock()
	}
}

// completed runs file_completed_action for a file whose events have all
// been handled: log its path, delete it, or both.
func (w *watcher) completed(path string) {
	if w.cfg.logCompleted != "" {
		w.logMu.Lock()
		f, err := os.OpenFile(w.cfg.logCompleted, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			_, err = f.WriteString(path + "\n")
			f.Close()
		}
		w.logMu.Unlock()
		if err != nil {
			w.log.Error("Could not log the completed file", slog.String("path", path), slog.String("file_completed_log_path", w.cfg.logCompleted), slog.String("message", err.Error()))
		}
	}
	if w.cfg.deleteDone {
		os.Remove(path)
		w.forgetMu.Lock()
		w.forgotten = append(w.forgotten, path)
		w.forgetMu.Unlock()
	}
}

// forgetCompleted stops tracking files deleted by file_completed_action.
func (w *watcher) forgetCompleted() {
	w.forgetMu.Lock()
	paths := w.forgotten
	w.forgotten = nil
	w.forgetMu.Unlock()
	for _, p := range paths {
		if s := w.paths[p]; s != nil && s.state == stDone {
			delete(w.paths, p)
			delete(w.byKey, s.key)
			w.db.mu.Lock()
			s.rec.live = false
			w.db.mu.Unlock()
		}
	}
}

// allRead reports whether read mode has nothing left to read.
func (w *watcher) allRead() bool {
	for _, s := range w.paths {
		if s.state != stDone && s.state != stIgnored {
			return false
		}
	}
	return true
}

func isGzip(path string) bool {
	return strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".gzip")
}
