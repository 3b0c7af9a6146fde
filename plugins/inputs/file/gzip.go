package file

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
)

// gzipHandOver is how much decompressed text is decoded before its events
// are handed over.
const gzipHandOver = 64 << 10

// readGzip reads a .gz file in read mode the way Logstash does (Java's
// readLine: \n, \r or \r\n end a line, text is UTF-8). Progress inside the
// archive is not recorded: its events do not move the position, which jumps
// to the archive's size once it is read without error and every event is
// handled. A corrupt archive is logged and left alone.
func (w *watcher) readGzip(ctx context.Context, s *stream) {
	if w.cfg.checkGzip && w.corrupt(s) {
		w.closeFile(s)
		s.state = stDone
		s.sess.end(nil)
		return
	}
	zr, err := gzip.NewReader(s.f)
	if err == nil {
		err = w.gzipLines(ctx, s, bufio.NewReaderSize(zr, w.cfg.chunkSize))
	}
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		w.log.Error("Cannot decompress the gzip file at path: "+s.path, slog.String("message", err.Error()))
		w.flushCodec(s)
		w.closeFile(s)
		s.state = stDone
		s.sess.end(nil)
		return
	}
	s.decoded = s.size
	w.finishRead(s)
}

// gzipLines decodes every line of r, handing events over as they pile up.
func (w *watcher) gzipLines(ctx context.Context, s *stream, r *bufio.Reader) error {
	pending := 0
	for ctx.Err() == nil {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			text := strings.TrimSuffix(string(line), "\n")
			// Java's readLine also ends a line at a lone \r.
			parts := strings.Split(text, "\r")
			if strings.HasSuffix(text, "\r") {
				parts = parts[:len(parts)-1]
			}
			for _, p := range parts {
				mark := len(w.events)
				s.codec.Decode([]byte(strings.ToValidUTF8(p, "\uFFFD")), w.collect)
				w.cover(s, mark, s.handed)
				pending += len(p)
			}
			if pending >= gzipHandOver {
				w.emit()
				pending = 0
			}
		}
		if err == io.EOF {
			w.emit()
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// corrupt reads the archive through once (check_archive_validity).
func (w *watcher) corrupt(s *stream) bool {
	f, err := os.Open(s.path)
	if err == nil {
		defer f.Close()
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(f); err == nil {
			_, err = io.Copy(io.Discard, zr)
		}
	}
	if err != nil {
		w.log.Warn("Detected corrupted archive "+s.path+" file won't be processed", slog.String("message", err.Error()))
		return true
	}
	return false
}
