// Package file is Logstash's file input: it follows files matched by glob
// patterns (tail mode) or reads whole files once (read mode), remembering in
// a sincedb, in Logstash's own format, how far each file has been handled.
// Unlike Logstash, a position is recorded only once the pipeline has
// finished with the events before it, so a crash loses nothing.
package file

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/plugin"
)

// The defaults of Logstash's filewatch library.
const (
	defaultChunkSize = 32768
	// maxIterations is filewatch's MAX_ITERATIONS: chunks read from one
	// file before turning to the next, in effect "to the end".
	maxIterations  = (1<<62 - 2) / 32768
	defaultMaxOpen = 4095
)

var (
	optPath       = plugin.Strings("path").Required().Validate(checkAbsolute).Doc("Absolute paths or glob patterns (`*`, `**`, `{a,b}`) of the files to read.")
	optExclude    = plugin.Strings("exclude").Doc("Glob patterns of file names (not paths) to leave out.")
	optStat       = plugin.String("stat_interval").Default("1").Validate(checkDuration(time.Second)).Doc("How often files are checked for new content: seconds, or a duration such as \"250 ms\".")
	optDiscover   = plugin.Int("discover_interval").Default(15).Doc("New files are looked for every this many stat_interval rounds.")
	optSincedb    = plugin.String("sincedb_path").Doc("The file recording how far each file has been read (Logstash's format). By default a file in <path.data>/plugins/inputs/file named after the path setting; /dev/null keeps nothing.")
	optWriteIvl   = plugin.String("sincedb_write_interval").Default("15").Validate(checkDuration(time.Second)).Doc("The sincedb is written at most this often (seconds or a duration) while positions change, and at shutdown.")
	optStart      = plugin.Enum("start_position", "beginning", "end").Default("end").Doc("Tail mode: where to start files found at start-up that the sincedb does not know. Files that appear later are read from the beginning.")
	optDelimiter  = plugin.String("delimiter").Default("\n").Validate(notEmpty).Doc("The text that ends a line.")
	optIgnore     = plugin.String("ignore_older").Validate(checkDuration(time.Second)).Doc("Files last modified longer ago than this (seconds or a duration) are skipped, until they change.")
	optClose      = plugin.String("close_older").Default("1 hour").Validate(checkDuration(time.Second)).Doc("Tail mode: a file read to its end and not read from for this long (seconds or a duration) is closed until it grows.")
	optMaxOpen    = plugin.Int("max_open_files").Doc("How many files are open at once (default 4095); the others wait their turn.")
	optMode       = plugin.Enum("mode", "tail", "read").Default("tail").Doc("tail follows files as they grow; read reads whole files once and then applies file_completed_action.")
	optCompleted  = plugin.Enum("file_completed_action", "delete", "log", "log_and_delete").Default("delete").Doc("Read mode: what to do with a file once every event read from it has been handled.")
	optLogPath    = plugin.String("file_completed_log_path").Doc("Read mode: the file that the paths of completed files are appended to (file_completed_action log or log_and_delete).")
	optCleanAfter = plugin.String("sincedb_clean_after").Default("14 days").Validate(checkDuration(24 * time.Hour)).Doc("A sincedb record not changed for this long is dropped (days, or a duration).")
	optChunkSize  = plugin.Int("file_chunk_size").Default(defaultChunkSize).AtLeast(1).Doc("Bytes read from a file at a time.")
	optChunkCount = plugin.Int("file_chunk_count").Default(maxIterations).AtLeast(1).Doc("Chunks read from one file before turning to the next.")
	optSortBy     = plugin.Enum("file_sort_by", "last_modified", "path").Default("last_modified").Doc("The order files are read in.")
	optSortDir    = plugin.Enum("file_sort_direction", "asc", "desc").Default("asc").Doc("Ascending or descending file_sort_by order.")
	optExitAfter  = plugin.Bool("exit_after_read").Default(false).Doc("Read mode: stop the input once every file found has been read, so the pipeline can end.")
	optCheckGzip  = plugin.Bool("check_archive_validity").Default(false).Doc("Read mode: read a .gz file through once before using it, and skip it if it is corrupt.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "file",
			Summary: "Follows files as they grow (tail mode) or reads whole files (read mode), one event per line, remembering its place in a sincedb.",
			Options: []plugin.Declared{optPath, optExclude, optStat, optDiscover, optSincedb, optWriteIvl, optStart, optDelimiter,
				optIgnore, optClose, optMaxOpen, optMode, optCompleted, optLogPath, optCleanAfter, optChunkSize, optChunkCount,
				optSortBy, optSortDir, optExitAfter, optCheckGzip, plugin.ECS},
		},
		Acknowledges: true,
		New:          New,
	})
}

func checkAbsolute(paths []string) error {
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("File paths must be absolute, relative path specified: %s", p)
		}
	}
	return nil
}

func notEmpty(s string) error {
	if s == "" {
		return errors.New("the delimiter must not be empty")
	}
	return nil
}

// config is the input's settings in the form the watcher uses.
type config struct {
	paths         []string
	exclude       []string
	stat          time.Duration
	discoverEvery int
	writeInterval time.Duration
	startAtEnd    bool
	delimiter     []byte
	ignoreOlder   time.Duration // 0: off
	closeOlder    time.Duration // 0: off
	maxOpen       int
	readMode      bool
	logCompleted  string // "" when not logging
	deleteDone    bool
	cleanAfter    time.Duration
	chunkSize     int
	chunkCount    int64
	sortByPath    bool
	descending    bool
	exitAfterRead bool
	checkGzip     bool
	ecs           bool
	sincedbPath   string
	defaultDB     bool // sincedbPath was generated
}

// Input is the file input.
type Input struct {
	settings *plugin.Settings
	cfg      config
	host     string
	log      *slog.Logger

	mu sync.Mutex
	db *sincedb // opened by the first Run, written for the last time by Close
}

// New checks the options and builds the input.
func New(s *plugin.Settings) (plugin.Input, error) {
	c := config{
		paths:         optPath.Get(s),
		exclude:       optExclude.Get(s),
		discoverEvery: int(max(optDiscover.Get(s), 1)),
		startAtEnd:    optStart.Get(s) == "end",
		delimiter:     []byte(optDelimiter.Get(s)),
		maxOpen:       int(optMaxOpen.Get(s)),
		readMode:      optMode.Get(s) == "read",
		chunkSize:     int(optChunkSize.Get(s)),
		chunkCount:    optChunkCount.Get(s),
		sortByPath:    optSortBy.Get(s) == "path",
		descending:    optSortDir.Get(s) == "desc",
		exitAfterRead: optExitAfter.Get(s),
		checkGzip:     optCheckGzip.Get(s),
		ecs:           s.ECS() != "disabled",
	}
	if c.maxOpen <= 0 {
		c.maxOpen = defaultMaxOpen
	}
	c.stat, _ = parseDuration(optStat.Get(s), time.Second)
	c.writeInterval, _ = parseDuration(optWriteIvl.Get(s), time.Second)
	c.cleanAfter, _ = parseDuration(optCleanAfter.Get(s), 24*time.Hour)
	if optIgnore.IsSet(s) {
		c.ignoreOlder, _ = parseDuration(optIgnore.Get(s), time.Second)
	}
	if optClose.IsSet(s) || optClose.Get(s) != "" {
		c.closeOlder, _ = parseDuration(optClose.Get(s), time.Second)
	}
	if !c.readMode && c.exitAfterRead {
		return nil, optExitAfter.Errorf(s, `The "exit_after_read" setting only works when the "mode" is set to "read"`)
	}
	action := optCompleted.Get(s)
	c.deleteDone = strings.Contains(action, "delete")
	if strings.Contains(action, "log") {
		if !optLogPath.IsSet(s) {
			return nil, optCompleted.Errorf(s, `The "file_completed_log_path" setting must be provided when the "file_completed_action" is set to "log" or "log_and_delete"`)
		}
		c.logCompleted = optLogPath.Get(s)
		if st, err := os.Stat(filepath.Dir(c.logCompleted)); err != nil || !st.IsDir() {
			return nil, optLogPath.Errorf(s, `The "file_completed_log_path" file can't be created: %s`, c.logCompleted)
		}
	}
	if optSincedb.IsSet(s) {
		c.sincedbPath = optSincedb.Get(s)
		if st, err := os.Stat(c.sincedbPath); err == nil && st.IsDir() {
			return nil, optSincedb.Errorf(s, `The "sincedb_path" argument must point to a file, received a directory: "%s"`, c.sincedbPath)
		}
	} else {
		dir, err := sincedbDir(s.Pipeline().DataPath)
		if err != nil {
			return nil, optSincedb.Errorf(s, "%v", err)
		}
		sum := md5.Sum([]byte(strings.Join(c.paths, ",")))
		c.sincedbPath = filepath.Join(dir, ".sincedb_"+hex.EncodeToString(sum[:]))
		c.defaultDB = true
	}
	host, _ := os.Hostname()
	return &Input{settings: s, cfg: c, host: host, log: s.Logger()}, nil
}

// sincedbDir is where a generated sincedb goes: <path.data>/plugins/inputs/file,
// or, without path.data, $SINCEDB_DIR or $LOGSTASH_HOME as Logstash falls
// back to them.
func sincedbDir(dataPath string) (string, error) {
	if dataPath != "" {
		return filepath.Join(dataPath, "plugins", "inputs", "file"), nil
	}
	for _, env := range []string{"SINCEDB_DIR", "LOGSTASH_HOME"} {
		if v := os.Getenv(env); v != "" {
			return v, nil
		}
	}
	return "", errors.New(`The "sincedb_path" setting was not given and the environment variables "SINCEDB_DIR" or "LOGSTASH_HOME" are not set so we cannot build a file path for the sincedb (set path.data, or sincedb_path)`)
}

// Run watches the files until ctx is cancelled (or, with exit_after_read,
// every file has been read), then flushes the codecs of open files.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	db, err := in.sincedb()
	if err != nil {
		return err
	}
	if in.cfg.logCompleted != "" {
		f, err := os.OpenFile(in.cfg.logCompleted, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf(`The "file_completed_log_path" file can't be created: %s`, in.cfg.logCompleted)
		}
		f.Close()
	}
	w := newWatcher(in, db, out)
	return w.run(ctx)
}

// sincedb opens the sincedb on the first Run; a restarted Run keeps it.
func (in *Input) sincedb() (*sincedb, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.db != nil {
		return in.db, nil
	}
	if in.cfg.defaultDB {
		in.log.Info(`No sincedb_path set, generating one based on the "path" setting`, slog.String("sincedb_path", in.cfg.sincedbPath), slog.Any("path", in.cfg.paths))
	}
	db := newSincedb(in.cfg.sincedbPath, in.cfg.cleanAfter, in.cfg.writeInterval, in.log)
	if err := db.open(); err != nil {
		return nil, err
	}
	db.startWriter()
	in.db = db
	return db, nil
}

// Close writes the sincedb a last time: the pipeline calls it after every
// event has been handled, so the positions cover everything delivered.
func (in *Input) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.db != nil {
		in.db.close()
	}
	return nil
}
