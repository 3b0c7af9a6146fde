package ruby

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// requireRuby skips a test that needs a Ruby interpreter when there is
// none (CI installs Debian's ruby package).
func requireRuby(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ruby"); err != nil {
		t.Skip("no ruby on PATH (apt-get install ruby)")
	}
}

// build makes a ruby filter from its options as config text, as a config
// would, and closes it when the test ends.
func build(t testing.TB, options string) plugin.BatchFilter {
	t.Helper()
	requireRuby(t)
	f := plugintest.Filter(t, "ruby { "+options+" }").Plugin
	t.Cleanup(func() { f.(io.Closer).Close() })
	return f.(plugin.BatchFilter)
}

// start makes a filter from a Config and closes it when the test ends.
func start(t testing.TB, cfg Config) *Filter {
	t.Helper()
	requireRuby(t)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// runBatch passes events through f as one batch and returns what comes
// out, in pipeline order: each surviving event followed by the events made
// from it.
func runBatch(f plugin.BatchFilter, events []*event.Event) []*event.Event {
	matched := make([]bool, len(events))
	made := make([][]*event.Event, len(events))
	f.FilterBatch(events, matched, func(i int, e *event.Event) { made[i] = append(made[i], e) })
	var out []*event.Event
	for i, e := range events {
		if !e.Cancelled() {
			out = append(out, e)
		}
		out = append(out, made[i]...)
	}
	return out
}

// logRecords is a slog handler keeping every record, for tests of what
// the code logs.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
	level   slog.Level
}

func (l *logRecords) Enabled(_ context.Context, lv slog.Level) bool { return lv >= l.level }
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l *logRecords) WithGroup(string) slog.Handler                 { return l }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// text renders the records as "LEVEL message k=v ..." lines.
func (l *logRecords) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b bytes.Buffer
	for _, r := range l.records {
		b.WriteString(r.Level.String() + " " + r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.Key + "=" + a.Value.String())
			return true
		})
		b.WriteByte('\n')
	}
	return b.String()
}

func (l *logRecords) has(substr string) bool { return strings.Contains(l.text(), substr) }

// workerPIDs lists the process ids of the running Ruby workers.
func (f *Filter) workerPIDs() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	pids := make([]int, 0, len(f.running))
	for p := range f.running {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}
