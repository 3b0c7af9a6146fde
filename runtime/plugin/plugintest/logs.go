package plugintest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/gostash/gostash/runtime/logging"
)

// Logs is the quiet logger a plugin under test writes to: it prints
// nothing, keeps every record as a line for assertions, and shows them all
// when the test fails.
type Logs struct {
	shared *logLines
	attrs  []slog.Attr
}

type logLines struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	message string
	text    string
}

func newLogs(t testing.TB) *Logs {
	l := &Logs{shared: &logLines{}}
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
func (l *Logs) Handle(_ context.Context, r slog.Record) error {
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
	l.shared.mu.Lock()
	l.shared.lines = append(l.shared.lines, logLine{message: r.Message, text: b.String()})
	l.shared.mu.Unlock()
	return nil
}

// WithAttrs returns a handler adding attrs to each line, writing to the same lines.
func (l *Logs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Logs{shared: l.shared, attrs: append(append([]slog.Attr(nil), l.attrs...), attrs...)}
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
