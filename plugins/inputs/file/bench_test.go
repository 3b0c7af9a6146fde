package file

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// benchFileSize is the size of the generated file the benchmarks read.
const benchFileSize = 64 << 20

// benchFile writes a file of access-log-like lines in the benchmark's
// temporary directory.
func benchFile(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "bench.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i, written := 0, 0; written < benchFileSize; i++ {
		n, _ := fmt.Fprintf(w, "10.0.%d.%d - - [17/May/2015:10:05:%02d +0000] \"GET /articles/%d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0\"\n", i%256, i%199, i%60, i, 1000+i%5000)
		written += n
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// discard is a pipeline that finishes every event as soon as it gets it.
type discard struct{}

func (discard) Emit(e *event.Event)          { e.Release() }
func (discard) Decorate(*event.Event)        {}
func (discard) EmitDecorated(e *event.Event) { e.Release() }
func (discard) EmitDecoratedBatch(events []*event.Event) {
	for _, e := range events {
		e.Release()
	}
}

// BenchmarkReadMode reads the whole file in read mode into a pipeline that
// takes events at once: the input's own cost per byte (MB/s).
func BenchmarkReadMode(b *testing.B) {
	path := benchFile(b)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		in, err := build(b, fmt.Sprintf(`path => "%s" mode => read exit_after_read => true file_completed_action => log file_completed_log_path => "/dev/null" sincedb_path => "/dev/null"`, path))
		if err != nil {
			b.Fatal(err)
		}
		if err := in.Run(context.Background(), discard{}); err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}

// BenchmarkCat reads the same file as cat does, for comparison.
func BenchmarkCat(b *testing.B) {
	path := benchFile(b)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	buf := make([]byte, 128<<10)
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
