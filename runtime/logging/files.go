package logging

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Files writes log lines to files in path.logs, as Logstash's log4j2
// configuration does: logstash-plain.log gets every line, except that with
// pipeline.separate_logs the lines of a pipeline go to
// pipeline_<id>.log instead. Files are opened for appending, so logrotate's
// copytruncate (the package's configuration) can rotate them.
type Files struct {
	dir      string
	separate bool

	mu    sync.Mutex
	plain *os.File
	per   map[string]*os.File
	// failed remembers a file that could not be written, to report it once.
	failed map[string]bool
}

// OpenFiles prepares logging to dir; logstash-plain.log is opened at once
// so that an unwritable directory is reported at start.
func OpenFiles(dir string, separate bool) (*Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("path.logs: %w", err)
	}
	f := &Files{dir: dir, separate: separate, per: map[string]*os.File{}, failed: map[string]bool{}}
	plain, err := f.open("logstash-plain.log")
	if err != nil {
		return nil, fmt.Errorf("path.logs: %w", err)
	}
	f.plain = plain
	return f, nil
}

func (f *Files) open(name string) (*os.File, error) {
	return os.OpenFile(filepath.Join(f.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// write writes one formatted line: line[:prefixEnd] is the time, level and
// logger part, line[bodyStart:] the message and parameters.
func (f *Files) write(pipeline string, line []byte, prefixEnd, bodyStart int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.separate || pipeline == "" {
		f.report("logstash-plain.log", writeAll(f.plain, line))
		return
	}
	name := "pipeline_" + pipeline + ".log"
	out := f.per[pipeline]
	if out == nil {
		var err error
		if out, err = f.open(name); err != nil {
			f.report(name, err)
			return
		}
		f.per[pipeline] = out
	}
	short := make([]byte, 0, len(line))
	short = append(append(append(short, line[:prefixEnd]...), ' '), line[bodyStart:]...)
	f.report(name, writeAll(out, short))
}

func writeAll(w *os.File, b []byte) error {
	_, err := w.Write(b)
	return err
}

// report tells stderr once that a log file cannot be written: the log
// itself is the thing that failed.
func (f *Files) report(name string, err error) {
	if err == nil || f.failed[name] {
		return
	}
	f.failed[name] = true
	fmt.Fprintf(os.Stderr, "ERROR: cannot write the log file %s: %v\n", filepath.Join(f.dir, name), err)
}

// Close closes the files.
func (f *Files) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.plain.Close()
	for _, p := range f.per {
		if e := p.Close(); err == nil {
			err = e
		}
	}
	return err
}
