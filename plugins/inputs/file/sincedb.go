package file

import (
	"bufio"
	"bytes"
	"fmt"
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

	"golang.org/x/sys/unix"

	"github.com/gostash/gostash/internal/ruby"
)

// fileKey is a file's identity as the sincedb records it: the inode and the
// device's major and minor numbers. The path is not part of it, so a
// renamed file keeps its record.
type fileKey struct {
	inode        uint64
	major, minor uint32
}

func (k fileKey) String() string { return fmt.Sprintf("%d %d %d", k.inode, k.major, k.minor) }

// keyOf is the identity of a file from its stat.
func keyOf(fi os.FileInfo) fileKey {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}
	}
	dev := uint64(st.Dev)
	return fileKey{inode: uint64(st.Ino), major: unix.Major(dev), minor: unix.Minor(dev)}
}

// record is one sincedb line: how far a file has been handled.
type record struct {
	key fileKey
	// position is the offset up to which every line has been handled by
	// the pipeline (at-least-once: only released events move it).
	position int64
	// handed is, while this process reads the file, the offset up to which
	// lines were handed to the pipeline; a file renamed into a watched path
	// resumes here rather than at position, so lines in flight are not
	// read twice.
	handed int64
	// changedAt is when the record last changed, in seconds since the epoch.
	changedAt float64
	// path is the path the file was read under; "" when it lost it to a
	// rotation, so that the file may turn up under any name.
	path string
	// seq orders records as they were added, which is the order they are
	// written in (Logstash's hash order).
	seq uint64
	// live is set while a stream of this process reads the file.
	live bool
	// fp holds, for a file that left its path in this process, the bytes
	// before the point it would resume at: a file found later with the same
	// inode but other bytes there is a new file that reused the inode.
	fp    [tailSize]byte
	fpLen int
	// moved is set when position changed since the last write, which
	// stamps changedAt (a clock read per released event would cost more
	// than the precision is worth).
	moved bool
}

// sincedb is the collection of records, written in Logstash's text format:
// "<inode> <major> <minor> <position> <last_changed_at> [<path>]" per line.
type sincedb struct {
	path       string
	expiry     time.Duration
	interval   time.Duration
	log        *slog.Logger
	now        func() time.Time
	nonAtomic  bool // a device such as /dev/null, or atomic writes failed for want of permission
	mu         sync.Mutex
	records    map[fileKey]*record
	seq        uint64
	changed    chan struct{} // a write is wanted
	stop       chan struct{}
	writerDone chan struct{}
	lastWrite  time.Time
}

func newSincedb(path string, expiry, interval time.Duration, log *slog.Logger) *sincedb {
	return &sincedb{path: path, expiry: expiry, interval: interval, log: log, now: time.Now,
		records: map[fileKey]*record{}, changed: make(chan struct{}, 1)}
}

// epochSeconds is Ruby's Time#to_f with microseconds.
func epochSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// open creates the file if it is missing (Logstash touches it), picks the
// write method and loads the records that have not expired.
func (db *sincedb) open() error {
	if err := os.MkdirAll(filepath.Dir(db.path), 0o755); err != nil {
		return fmt.Errorf("sincedb directory: %w", err)
	}
	f, err := os.OpenFile(db.path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("sincedb: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode()&(os.ModeDevice|os.ModeCharDevice) != 0 {
		db.nonAtomic = true
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.load(f, epochSeconds(db.now()))
}

// load reads records; a later line for the same file wins, as in a Ruby
// hash. A line that is not a record is skipped with a warning.
func (db *sincedb) load(r io.Reader, openedAt float64) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		rec, err := parseRecord(text, openedAt)
		if err != nil {
			db.log.Warn("Skipping a sincedb line that is not a record", slog.String("sincedb_path", db.path), slog.Int("line", line), slog.String("error", err.Error()))
			continue
		}
		if openedAt >= rec.changedAt+db.expiry.Seconds() {
			db.log.Debug("set_key_value: record has expired, skipping", slog.String("key", rec.key.String()))
			continue
		}
		db.put(rec)
	}
	return sc.Err()
}

// parseRecord reads one line: five or more fields are the current format
// (the path is the rest, its words joined by single spaces, as Logstash
// rejoins them); fewer are the old "<inode> <major> <minor> <position>",
// stamped now.
func parseRecord(line string, now float64) (*record, error) {
	f := strings.Fields(line)
	if len(f) < 4 {
		return nil, fmt.Errorf("%d fields", len(f))
	}
	inode, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("inode %q", f[0])
	}
	rec := &record{key: fileKey{inode: inode, major: uint32(rubyToI(f[1])), minor: uint32(rubyToI(f[2]))}, position: rubyToI(f[3]), changedAt: now}
	if len(f) >= 5 {
		if rec.changedAt, err = strconv.ParseFloat(f[4], 64); err != nil {
			return nil, fmt.Errorf("last_changed_at %q", f[4])
		}
		rec.path = strings.Join(f[5:], " ")
	}
	rec.handed = rec.position
	return rec, nil
}

// rubyToI is String#to_i of a decimal: leading digits, 0 when none.
func rubyToI(s string) int64 {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.ParseInt(s[:i], 10, 64)
	return n
}

func (db *sincedb) put(rec *record) {
	if old, ok := db.records[rec.key]; ok {
		rec.seq = old.seq
	} else {
		db.seq++
		rec.seq = db.seq
	}
	db.records[rec.key] = rec
}

// touch marks a record changed now and asks for a write.
func (db *sincedb) touch(rec *record) {
	rec.changedAt = epochSeconds(db.now())
	db.wantWrite()
}

func (db *sincedb) wantWrite() {
	select {
	case db.changed <- struct{}{}:
	default:
	}
}

// commit moves a record's position forward to pos (called as events are
// released, from pipeline workers).
func (db *sincedb) commit(rec *record, pos int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if pos > rec.position {
		rec.position = pos
		if !rec.moved {
			rec.moved = true
			db.wantWrite()
		}
	}
}

// serialize renders the records that have not expired as of now and
// forgets the expired ones (unless a stream is reading them).
func (db *sincedb) serialize(now float64) []byte {
	recs := make([]*record, 0, len(db.records))
	for _, r := range db.records {
		recs = append(recs, r)
	}
	slices.SortFunc(recs, func(a, b *record) int { return int(a.seq - b.seq) })
	var b []byte
	for _, r := range recs {
		if r.moved {
			r.changedAt, r.moved = now, false
		}
		if now > r.changedAt+db.expiry.Seconds() && !r.live {
			delete(db.records, r.key)
			continue
		}
		b = strconv.AppendUint(b, r.key.inode, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(r.key.major), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(r.key.minor), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, r.position, 10)
		b = append(b, ' ')
		b = ruby.AppendFloat(b, r.changedAt)
		if r.path != "" {
			b = append(b, ' ')
			b = append(b, r.path...)
		}
		b = append(b, '\n')
	}
	return b
}

// write writes the sincedb now: atomically (a temporary file renamed over
// it) unless it is a device or that failed for want of permission.
func (db *sincedb) write() {
	db.mu.Lock()
	data := db.serialize(epochSeconds(db.now()))
	nonAtomic := db.nonAtomic
	db.mu.Unlock()
	if !nonAtomic {
		err := db.writeAtomically(data)
		if err == nil {
			return
		}
		if os.IsPermission(err) {
			db.log.Warn("sincedb_write: unable to write atomically due to permissions error, falling back to non-atomic write: "+db.path+" error:", slog.String("message", err.Error()))
			db.mu.Lock()
			db.nonAtomic = true
			db.mu.Unlock()
		} else {
			db.log.Warn("sincedb_write: unable to write atomically, attempting non-atomic write: "+db.path+" error:", slog.String("message", err.Error()))
		}
	}
	if err := os.WriteFile(db.path, data, 0o644); err != nil {
		db.log.Warn("sincedb_write: unable to write", slog.String("sincedb_path", db.path), slog.String("message", err.Error()))
	}
}

func (db *sincedb) writeAtomically(data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(db.path), "."+filepath.Base(db.path)+".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, bytes.NewReader(data))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), db.path)
}

// startWriter writes the sincedb whenever a record changed, at most once
// per sincedb_write_interval.
func (db *sincedb) startWriter() {
	db.stop = make(chan struct{})
	db.writerDone = make(chan struct{})
	go func() {
		defer close(db.writerDone)
		for {
			select {
			case <-db.stop:
				return
			case <-db.changed:
			}
			if wait := time.Until(db.lastWrite.Add(db.interval)); wait > 0 {
				select {
				case <-db.stop:
					return
				case <-time.After(wait):
				}
			}
			db.lastWrite = time.Now()
			db.write()
		}
	}()
}

// close stops the writer and writes the final state.
func (db *sincedb) close() {
	if db.stop != nil {
		close(db.stop)
		<-db.writerDone
		db.stop = nil
	}
	db.write()
}
