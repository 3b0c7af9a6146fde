package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attribute keys with a place of their own in a log line.
const (
	LoggerKey     = "logger"
	PipelineIDKey = "pipeline.id"
	PluginIDKey   = "plugin.id"
	// PipelineContextKey carries the pipeline a line belongs to without
	// listing it among the line's parameters, as Logstash's thread context
	// does for plugin log lines.
	PipelineContextKey = "pipeline.context"
)

// Extra levels Logstash has and slog does not.
const (
	LevelTrace = slog.LevelDebug - 4
	LevelFatal = slog.LevelError + 4
)

// ParseLogLevel reads a --log.level value.
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "trace":
		return LevelTrace, nil
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	case "fatal":
		return LevelFatal, nil
	}
	return 0, fmt.Errorf("invalid log level %q: expected fatal, error, warn, info, debug or trace", s)
}

// LogHandler writes log records in Logstash's console shape:
//
//	[2026-01-01T10:00:00,123][INFO ][logstash.javapipeline    ][main] Pipeline started {"pipeline.id"=>"main"}
//
// The logger name comes from the "logger" attribute, then the pipeline id
// and plugin id when present, then the message and the remaining attributes
// as a Ruby-style hash.
type LogHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Leveler
	attrs []slog.Attr
	now   func() time.Time
	files *Files
}

// NewLogHandler returns a handler writing to w at the given minimum level.
func NewLogHandler(w io.Writer, level slog.Leveler) *LogHandler {
	return &LogHandler{mu: &sync.Mutex{}, w: w, level: level, now: time.Now}
}

// WithFiles returns a handler that also writes to log files (path.logs).
func (h *LogHandler) WithFiles(f *Files) *LogHandler {
	c := *h
	c.files = f
	return &c
}

func (h *LogHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *LogHandler) WithGroup(string) slog.Handler { return h }

func levelName(l slog.Level) string {
	switch {
	case l <= LevelTrace:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	case l < LevelFatal:
		return "ERROR"
	}
	return "FATAL"
}

func (h *LogHandler) Handle(_ context.Context, r slog.Record) error {
	logger, pipeline, plugin := "logstash.runner", "", ""
	var params []slog.Attr
	take := func(a slog.Attr) bool {
		switch a.Key {
		case LoggerKey:
			logger = a.Value.String()
		case PipelineIDKey:
			pipeline = a.Value.String()
			params = append(params, a)
		case PipelineContextKey:
			pipeline = a.Value.String()
		case PluginIDKey:
			plugin = a.Value.String()
		default:
			params = append(params, a)
		}
		return true
	}
	for _, a := range h.attrs {
		take(a)
	}
	r.Attrs(take)
	t := r.Time
	if t.IsZero() {
		t = h.now()
	}
	var b []byte
	b = append(b, '[')
	b = t.AppendFormat(b, "2006-01-02T15:04:05,000")
	b = append(b, "]["...)
	b = append(b, fmt.Sprintf("%-5s", levelName(r.Level))...)
	b = append(b, "]["...)
	b = append(b, fmt.Sprintf("%-25s", logger)...)
	b = append(b, ']')
	// A pipeline's own log file has no pipeline and plugin ids in brackets.
	prefixEnd := len(b)
	if pipeline != "" {
		b = append(b, '[')
		b = append(b, pipeline...)
		b = append(b, ']')
	}
	if plugin != "" {
		b = append(b, '[')
		b = append(b, plugin...)
		b = append(b, ']')
	}
	b = append(b, ' ')
	bodyStart := len(b)
	b = append(b, r.Message...)
	if len(params) > 0 {
		b = append(b, " {"...)
		for i, a := range params {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendQuote(b, a.Key)
			b = append(b, "=>"...)
			b = appendLogValue(b, a.Value)
		}
		b = append(b, '}')
	}
	b = append(b, '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b)
	if h.files != nil {
		h.files.write(pipeline, b, prefixEnd, bodyStart)
	}
	return err
}

func appendLogValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return strconv.AppendQuote(b, v.String())
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool:
		return append(b, v.String()...)
	case slog.KindDuration:
		return append(b, v.Duration().String()...)
	}
	if err, ok := v.Any().(error); ok {
		return strconv.AppendQuote(b, err.Error())
	}
	return strconv.AppendQuote(b, v.String())
}

// Logger returns a child of l named like a Logstash logger.
func Logger(l *slog.Logger, name string) *slog.Logger {
	return l.With(slog.String(LoggerKey, name))
}
