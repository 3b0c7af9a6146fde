package plugintest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/logging"
)

// Logs is the quiet logger a plugin under test writes to: it prints
// nothing, keeps every record for assertions, both as a compact line and
// in the shape gostash logs it (Logstash's), and shows them all when the
// test fails.
type Logs struct {
	shared   *logLines
	attrs    []slog.Attr
	logstash slog.Handler
}

type logLines struct {
	mu       sync.Mutex
	lines    []logLine
	logstash strings.Builder
	changed  chan struct{} // closed at the next record; nil while nobody waits
}

// Write takes the Logstash-shaped lines of the logging.LogHandler.
func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logstash.Write(p)
}

type logLine struct {
	message string
	text    string
}

func newLogs(t testing.TB) *Logs {
	shared := &logLines{}
	l := &Logs{shared: shared, logstash: logging.NewLogHandler(shared, logging.LevelTrace)}
	t.Cleanup(func() {
		if t.Failed() {
			if all := l.String(); all != "" {
				t.Logf("the plugin logged:\n%s", all)
			}
		}
	})
	return l
}

// Enabled records every level.
func (l *Logs) Enabled(context.Context, slog.Level) bool { return true }

// Handle keeps r as "LEVEL message key=value ...", leaving out the logger
// name and plugin id every plugin logger carries.
func (l *Logs) Handle(ctx context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte(' ')
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		if a.Key != logging.LoggerKey && a.Key != logging.PluginIDKey {
			b.WriteString(" " + a.Key + "=" + a.Value.String())
		}
		return true
	}
	for _, a := range l.attrs {
		add(a)
	}
	r.Attrs(add)
	if err := l.logstash.Handle(ctx, r); err != nil {
		return err
	}
	l.shared.mu.Lock()
	l.shared.lines = append(l.shared.lines, logLine{message: r.Message, text: b.String()})
	if l.shared.changed != nil {
		close(l.shared.changed)
		l.shared.changed = nil
	}
	l.shared.mu.Unlock()
	return nil
}

// WithAttrs returns a handler adding attrs to each line, writing to the same lines.
func (l *Logs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Logs{shared: l.shared, attrs: append(append([]slog.Attr(nil), l.attrs...), attrs...), logstash: l.logstash.WithAttrs(attrs)}
}

// WithGroup keeps the same lines: groups do not change what a test reads.
func (l *Logs) WithGroup(string) slog.Handler { return l }

// Lines returns the lines whose message contains s (every line for "").
func (l *Logs) Lines(s string) []string {
	l.shared.mu.Lock()
	defer l.shared.mu.Unlock()
	var out []string
	for _, line := range l.shared.lines {
		if strings.Contains(line.message, s) {
			out = append(out, line.text)
		}
	}
	return out
}

// String is every line, one per line.
func (l *Logs) String() string { return strings.Join(l.Lines(""), "\n") }

// Logstash is everything logged, in the shape gostash logs it:
// `[time][WARN ][logstash.inputs.tcp      ][id] message {"key"=>"value"}`.
func (l *Logs) Logstash() string {
	l.shared.mu.Lock()
	defer l.shared.mu.Unlock()
	return l.shared.logstash.String()
}

// WaitFor waits until the Logstash-shaped log holds text, failing the test
// when it does not within Deadline.
func (l *Logs) WaitFor(t testing.TB, text string) {
	t.Helper()
	deadline := time.After(Deadline)
	for {
		l.shared.mu.Lock()
		if strings.Contains(l.shared.logstash.String(), text) {
			l.shared.mu.Unlock()
			return
		}
		if l.shared.changed == nil {
			l.shared.changed = make(chan struct{})
		}
		changed := l.shared.changed
		l.shared.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the log never said %q within %v; it holds:\n%s", text, Deadline, l.Logstash())
		}
	}
}
