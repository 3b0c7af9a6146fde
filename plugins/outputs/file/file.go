// Package file is the file output: events encoded by a codec (json_lines
// by default) appended to files whose path may depend on the event.
package file

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optPath                 = plugin.String("path").Required().Doc("The file to write to, sprintf'd per event; its directory part must not start with a reference.")
	optFlushInterval        = plugin.Int("flush_interval").Default(2).Doc("Seconds between flushes; gostash writes each batch at once, so this only bounds gzip buffering.")
	optGzip                 = plugin.Bool("gzip").Default(false).Doc("Gzip the output stream.")
	optFilenameFailure      = plugin.String("filename_failure").Default("_filepath_failures").Doc("The file name used, in the static directory of path, when a sprintf'd path leaves that directory.")
	optCreateIfDeleted      = plugin.Bool("create_if_deleted").Default(true).Doc("Re-create a file deleted while open.")
	optDirMode              = plugin.Int("dir_mode").Default(-1).Doc("Mode of created directories (-1: the default umask).")
	optFileMode             = plugin.Int("file_mode").Default(-1).Doc("Mode of created files (-1: the default umask).")
	optWriteBehavior        = plugin.Enum("write_behavior", "append", "overwrite").Default("append").Doc("append adds to the file; overwrite truncates it before each batch.")
	optStaleCleanupInterval = plugin.Int("stale_cleanup_interval").Default(10).Doc("Seconds after which unused files are closed.")
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "file",
			Summary: "Writes events to files; the path may use sprintf references such as %{+YYYY-MM-dd}.",
			Options: []plugin.Declared{optPath, optFlushInterval, optGzip, optFilenameFailure, optCreateIfDeleted, optDirMode, optFileMode, optWriteBehavior, optStaleCleanupInterval},
		},
		DefaultCodec: "json_lines",
		New:          New,
	})
}

// Output is the file output.
type Output struct {
	path      *event.Template
	staticDir string
	failure   string
	gzip      bool
	overwrite bool
	dirMode   os.FileMode
	fileMode  os.FileMode
	codec     plugin.Codec

	mu    sync.Mutex
	files map[string]*openFile
}

type openFile struct {
	f  *os.File
	gz *gzip.Writer
}

func (o *openFile) writer() io.Writer {
	if o.gz != nil {
		return o.gz
	}
	return o.f
}

// New builds a file output.
func New(s *plugin.Settings) (plugin.Output, error) {
	raw := optPath.Get(s)
	if strings.HasPrefix(raw, "%{") {
		return nil, optPath.Errorf(s, "The starting part of the path should not be dynamic.")
	}
	t, err := event.CompileTemplate(raw)
	if err != nil {
		return nil, optPath.Errorf(s, "%v", err)
	}
	o := &Output{
		path: t, failure: optFilenameFailure.Get(s), gzip: optGzip.Get(s),
		overwrite: optWriteBehavior.Get(s) == "overwrite", codec: s.NewCodec(),
		dirMode: 0o755, fileMode: 0o644, files: map[string]*openFile{},
	}
	if m := optDirMode.Get(s); m >= 0 {
		o.dirMode = os.FileMode(m)
	}
	if m := optFileMode.Get(s); m >= 0 {
		o.fileMode = os.FileMode(m)
	}
	// The static directory is the part of the path before the first reference.
	static := raw
	if i := strings.Index(raw, "%{"); i >= 0 {
		static = raw[:i]
	}
	o.staticDir = filepath.Dir(static + "x")
	return o, nil
}

// Output appends each event's encoding to its file.
func (o *Output) Output(_ context.Context, events []*event.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	byPath := map[string][]byte{}
	var order []string
	for _, e := range events {
		p := o.resolve(e)
		if _, seen := byPath[p]; !seen {
			order = append(order, p)
		}
		byPath[p] = o.codec.Encode(byPath[p], e)
	}
	for _, p := range order {
		f, err := o.open(p)
		if err != nil {
			return err
		}
		if o.overwrite {
			if err := f.f.Truncate(0); err != nil {
				return fmt.Errorf("truncating %s: %w", p, err)
			}
			if _, err := f.f.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("truncating %s: %w", p, err)
			}
		}
		if _, err := f.writer().Write(byPath[p]); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		if f.gz != nil {
			if err := f.gz.Flush(); err != nil {
				return fmt.Errorf("writing %s: %w", p, err)
			}
		}
	}
	return nil
}

// resolve renders the path for e; a path that escapes the static directory
// (through ".." in a field) goes to filename_failure inside it, as in Logstash.
func (o *Output) resolve(e *event.Event) string {
	p := filepath.Clean(o.path.Render(e))
	if o.path.IsConstant() {
		return p
	}
	rel, err := filepath.Rel(o.staticDir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.Join(o.staticDir, o.failure)
	}
	return p
}

func (o *Output) open(p string) (*openFile, error) {
	if f, ok := o.files[p]; ok {
		if _, err := os.Stat(p); err == nil {
			return f, nil
		}
		// Deleted while open: start a new file (create_if_deleted).
		f.close()
		delete(o.files, p)
	}
	if err := os.MkdirAll(filepath.Dir(p), o.dirMode); err != nil {
		return nil, fmt.Errorf("creating the directory of %s: %w", p, err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, o.fileMode)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p, err)
	}
	of := &openFile{f: f}
	if o.gzip {
		of.gz = gzip.NewWriter(f)
	}
	o.files[p] = of
	return of, nil
}

func (o *openFile) close() error {
	if o.gz != nil {
		if err := o.gz.Close(); err != nil {
			o.f.Close()
			return err
		}
	}
	return o.f.Close()
}

// Close closes every open file.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var first error
	for p, f := range o.files {
		if err := f.close(); err != nil && first == nil {
			first = fmt.Errorf("closing %s: %w", p, err)
		}
	}
	return first
}
